// Package batch is the oracles' shared protocol: one JSON array of cases on stdin, one JSON array of
// verdicts (same order) on stdout, so a whole corpus costs one process start.
package batch

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// Run decodes the cases on stdin, answers each with answer and prints the verdicts. A malformed
// batch is exit status 2 with one line on stderr; a case the oracle cannot answer is reported in
// its verdict, never by aborting the batch.
func Run(answer func(json.RawMessage) any) {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(fmt.Sprintf("reading stdin: %v", err))
	}
	var cases []json.RawMessage
	if err := json.Unmarshal(data, &cases); err != nil {
		fail(fmt.Sprintf("stdin must be a JSON array of cases: %v", err))
	}
	verdicts := make([]any, len(cases))
	for i, c := range cases {
		verdicts[i] = answer(c)
	}
	out := json.NewEncoder(os.Stdout)
	out.SetEscapeHTML(false)
	if err := out.Encode(verdicts); err != nil {
		fail(fmt.Sprintf("writing verdicts: %v", err))
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(2)
}

// ErrorText is nil for no error, else the error's text (verdicts carry errors as data).
func ErrorText(err error) *string {
	if err == nil {
		return nil
	}
	text := err.Error()
	return &text
}
