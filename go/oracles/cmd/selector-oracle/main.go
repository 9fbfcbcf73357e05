// Command selector-oracle answers label-selector questions with k8s.io/apimachinery (the version pinned
// in go.mod): the JSON decoding Terway applies to a PodNetworking (k8s.io/apimachinery/pkg/util/json),
// metav1.LabelSelectorAsSelector (what terway-controlplane's pod webhook calls), Selector.Matches, and
// the API server's ValidateLabelSelector.
//
// stdin: a JSON array of cases; stdout: one verdict per case.
//
//	{"op": "match", "selector": <LabelSelector JSON>, "labels": {...}}
//	  -> {"decodeError", "error", "validation": [...], "matches"}
//	{"op": "enumerate", "selectors": [<LabelSelector JSON>...], "universe": {"key": ["v", ...]}, "required": ["key"]}
//	  -> {"size": N, "matches": ["<hex bitset>" or null per selector]}
//
// enumerate lists every label set over the universe (each key absent or one of its values; a key in
// "required" never absent; keys in sorted order, mixed radix, first key most significant) and marks,
// per selector, the label sets Selector.Matches accepts: bit i of the big-endian hex number is label set i.
package main

import (
	"encoding/json"
	"math/big"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	kjson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"ackstack/go/oracles/internal/batch"
)

type scase struct {
	Op        string              `json:"op"`
	Selector  json.RawMessage     `json:"selector"`
	Labels    map[string]string   `json:"labels"`
	Selectors []json.RawMessage   `json:"selectors"`
	Universe  map[string][]string `json:"universe"`
	Required  []string            `json:"required"`
}

type matchVerdict struct {
	DecodeError *string  `json:"decodeError"`
	Error       *string  `json:"error"`
	Validation  []string `json:"validation"`
	Matches     bool     `json:"matches"`
}

type enumerateVerdict struct {
	Size    int       `json:"size"`
	Matches []*string `json:"matches"`
	Error   *string   `json:"error,omitempty"`
}

func main() {
	batch.Run(answer)
}

func answer(raw json.RawMessage) any {
	var c scase
	if err := json.Unmarshal(raw, &c); err != nil {
		return map[string]any{"error": "bad case: " + err.Error()}
	}
	switch c.Op {
	case "match":
		return opMatch(c)
	case "enumerate":
		return opEnumerate(c)
	}
	return map[string]any{"error": "unknown op " + c.Op}
}

// decode reads a selector the way Terway reads the PodNetworking holding it (util/json.Unmarshal).
func decode(raw json.RawMessage) (*metav1.LabelSelector, error) {
	sel := &metav1.LabelSelector{}
	if err := kjson.Unmarshal(raw, sel); err != nil {
		return nil, err
	}
	return sel, nil
}

func opMatch(c scase) matchVerdict {
	var v matchVerdict
	sel, err := decode(c.Selector)
	if err != nil {
		v.DecodeError = batch.ErrorText(err)
		return v
	}
	for _, e := range metav1validation.ValidateLabelSelector(sel, metav1validation.LabelSelectorValidationOptions{},
		field.NewPath("selector")) {
		v.Validation = append(v.Validation, e.Error())
	}
	selector, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		v.Error = batch.ErrorText(err)
		return v
	}
	v.Matches = selector.Matches(labels.Set(c.Labels))
	return v
}

func opEnumerate(c scase) enumerateVerdict {
	keys := make([]string, 0, len(c.Universe))
	for k := range c.Universe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	required := map[string]bool{}
	for _, k := range c.Required {
		required[k] = true
	}
	// options[i]: the values key i can take; "" stands for absent unless the key is required.
	type option struct {
		value  string
		absent bool
	}
	options := make([][]option, len(keys))
	size := 1
	for i, k := range keys {
		if !required[k] {
			options[i] = append(options[i], option{absent: true})
		}
		for _, v := range c.Universe[k] {
			options[i] = append(options[i], option{value: v})
		}
		size *= len(options[i])
	}
	sets := make([]labels.Set, size)
	for n := 0; n < size; n++ {
		set := labels.Set{}
		rest := n
		for i := len(keys) - 1; i >= 0; i-- {
			o := options[i][rest%len(options[i])]
			rest /= len(options[i])
			if !o.absent {
				set[keys[i]] = o.value
			}
		}
		sets[n] = set
	}
	v := enumerateVerdict{Size: size, Matches: make([]*string, len(c.Selectors))}
	for j, raw := range c.Selectors {
		sel, err := decode(raw)
		if err != nil {
			continue
		}
		selector, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil {
			continue
		}
		bits := new(big.Int)
		for n, set := range sets {
			if selector.Matches(set) {
				bits.SetBit(bits, n, 1)
			}
		}
		text := bits.Text(16)
		v.Matches[j] = &text
	}
	return v
}
