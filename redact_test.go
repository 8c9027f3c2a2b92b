package main

import (
	"bytes"
	"log"
	"testing"
)

func TestRedactorHidesEverySecret(t *testing.T) {
	var buf bytes.Buffer
	r := &redactor{w: &buf}
	r.add("hunter2")
	r.add("")
	logger := log.New(r, "", 0)
	logger.Printf("connecting with password hunter2 and again hunter2")
	r.add("s3cr3t")
	logger.Printf("switched: s3cr3t, old hunter2")
	if got, want := buf.String(), "connecting with password [redacted] and again [redacted]\nswitched: [redacted], old [redacted]\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
