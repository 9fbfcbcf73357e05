// Command goparse-oracle answers with Go's standard library (the toolchain named in go.mod):
// time.ParseDuration, encoding/json (decode into interface{} and Marshal back, as
// terraform-provider-alicloud stores an add-on's config; and decoding into map[string]any) and
// net/netip.ParsePrefix; and with gopkg.in/yaml.v3 (the version the pinned Pulumi CLI uses) decoding a
// YAML document into interface{}, as the CLI reads a stack file.
//
// stdin: a JSON array of cases; stdout: one verdict per case.
//
//	{"op": "duration", "text": "..."}    -> {"ns": int64, "error"}
//	{"op": "json", "text": "..."}        -> {"error", "marshal", "object": bool}
//	{"op": "prefix", "text": "..."}      -> {"error", "is4", "masked", "addr", "bits"}
//	{"op": "yaml", "text": "..."}        -> {"error", "value": typed tree}; a typed node is {"t": kind, "v": ...}
//	                                        kind: null, bool, int, uint64, float (v: 'g' text), string,
//	                                        time (v: Go's String(); process TZ), list, map (v: [[key, value]...])
//
// Texts travel as JSON strings; a text that is not valid UTF-8 is sent base64 in "b64" instead.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"

	"ackstack/go/oracles/internal/batch"
)

type pcase struct {
	Op   string  `json:"op"`
	Text string  `json:"text"`
	B64  *string `json:"b64"`
}

type durationVerdict struct {
	Ns    int64   `json:"ns"`
	Error *string `json:"error"`
}

type jsonVerdict struct {
	Error   *string `json:"error"`
	Marshal *string `json:"marshal"`
	// Object: the text decodes into map[string]any (a JSON object; what an eni_conf must be).
	Object bool `json:"object"`
}

type prefixVerdict struct {
	Error  *string `json:"error"`
	Is4    bool    `json:"is4"`
	Masked bool    `json:"masked"`
	Addr   string  `json:"addr"`
	Bits   int     `json:"bits"`
}

func main() {
	batch.Run(answer)
}

func answer(raw json.RawMessage) any {
	var c pcase
	if err := json.Unmarshal(raw, &c); err != nil {
		return map[string]any{"error": "bad case: " + err.Error()}
	}
	text := c.Text
	if c.B64 != nil {
		data, err := base64.StdEncoding.DecodeString(*c.B64)
		if err != nil {
			return map[string]any{"error": "bad b64: " + err.Error()}
		}
		text = string(data)
	}
	switch c.Op {
	case "duration":
		d, err := time.ParseDuration(text)
		return durationVerdict{Ns: int64(d), Error: batch.ErrorText(err)}
	case "json":
		return opJSON(text)
	case "yaml":
		var value any
		if err := yaml.Unmarshal([]byte(text), &value); err != nil {
			return map[string]any{"error": err.Error()}
		}
		return map[string]any{"error": nil, "value": describe(value)}
	case "prefix":
		p, err := netip.ParsePrefix(text)
		if err != nil {
			return prefixVerdict{Error: batch.ErrorText(err)}
		}
		return prefixVerdict{Is4: p.Addr().Is4(), Masked: p.Masked() == p, Addr: p.Addr().String(), Bits: p.Bits()}
	}
	return map[string]any{"error": "unknown op " + c.Op}
}

func opJSON(text string) jsonVerdict {
	var v jsonVerdict
	var value any
	if err := json.Unmarshal([]byte(text), &value); err != nil {
		v.Error = batch.ErrorText(err)
		return v
	}
	out, err := json.Marshal(value)
	if err != nil {
		v.Error = batch.ErrorText(err)
		return v
	}
	s := string(out)
	v.Marshal = &s
	var object map[string]any
	v.Object = json.Unmarshal([]byte(text), &object) == nil
	return v
}

// describe is a YAML-decoded value with its Go type kept (JSON alone would merge int, uint64 and float).
func describe(value any) map[string]any {
	switch v := value.(type) {
	case nil:
		return map[string]any{"t": "null"}
	case bool:
		return map[string]any{"t": "bool", "v": v}
	case int:
		return map[string]any{"t": "int", "v": strconv.Itoa(v)}
	case int64:
		return map[string]any{"t": "int", "v": strconv.FormatInt(v, 10)}
	case uint64:
		return map[string]any{"t": "uint64", "v": strconv.FormatUint(v, 10)}
	case float64:
		return map[string]any{"t": "float", "v": strconv.FormatFloat(v, 'g', -1, 64)}
	case string:
		return map[string]any{"t": "string", "v": v}
	case time.Time:
		return map[string]any{"t": "time", "v": v.String()}
	case []any:
		items := make([]any, len(v))
		for i, item := range v {
			items[i] = describe(item)
		}
		return map[string]any{"t": "list", "v": items}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		pairs := make([]any, len(keys))
		for i, k := range keys {
			pairs[i] = []any{describe(k), describe(v[k])}
		}
		return map[string]any{"t": "map", "v": pairs}
	case map[any]any:
		pairs := make([]any, 0, len(v))
		for k, item := range v {
			pairs = append(pairs, []any{describe(k), describe(item)})
		}
		sort.Slice(pairs, func(i, j int) bool {
			return fmt.Sprint(pairs[i].([]any)[0]) < fmt.Sprint(pairs[j].([]any)[0])
		})
		return map[string]any{"t": "map", "v": pairs}
	}
	return map[string]any{"t": fmt.Sprintf("%T", value)}
}
