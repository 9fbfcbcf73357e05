// Command goparse-oracle answers with Go's standard library (the toolchain named in go.mod):
// time.ParseDuration, encoding/json (decode into interface{} and Marshal back, as
// terraform-provider-alicloud stores an add-on's config; and decoding into map[string]any) and
// net/netip.ParsePrefix.
//
// stdin: a JSON array of cases; stdout: one verdict per case.
//
//	{"op": "duration", "text": "..."}    -> {"ns": int64, "error"}
//	{"op": "json", "text": "..."}        -> {"error", "marshal", "object": bool}
//	{"op": "prefix", "text": "..."}      -> {"error", "is4", "masked", "addr", "bits"}
//
// Texts travel as JSON strings; a text that is not valid UTF-8 is sent base64 in "b64" instead.
package main

import (
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"time"

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
