package config

import (
	"bytes"
	"log"
	"testing"
)

func TestRedactorHidesEverySecret(t *testing.T) {
	var buf bytes.Buffer
	r := NewRedactor(&buf)
	r.Add("hunter2")
	r.Add("")
	logger := log.New(r, "", 0)
	logger.Printf("connecting with password hunter2 and again hunter2")
	r.Add("s3cr3t")
	logger.Printf("switched: s3cr3t, old hunter2")
	if got, want := buf.String(), "connecting with password [redacted] and again [redacted]\nswitched: [redacted], old [redacted]\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
