package ui

import (
	"strings"
	"testing"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		in      string
		want    Command
		wantErr string
	}{
		{in: "topics", want: Command{Name: "topics"}},
		{in: "  TP ", want: Command{Name: "topics"}},
		{in: "topic orders", want: Command{Name: "topic", Arg: "orders"}},
		{in: "topic Orders.v2_x-y", want: Command{Name: "topic", Arg: "Orders.v2_x-y"}},
		{in: "brokers", want: Command{Name: "brokers"}},
		{in: "br", want: Command{Name: "brokers"}},
		{in: "quit", want: Command{Name: "quit"}},
		{in: "q", want: Command{Name: "quit"}},
		{in: "", wantErr: "empty command"},
		{in: "topic", wantErr: "topic needs NAME"},
		{in: "topic a b", wantErr: "takes one NAME"},
		{in: "brokers 1", wantErr: "takes no argument"},
		{in: "nosuch", wantErr: `unknown command "nosuch"; known: topics, topic NAME, brokers, quit`},
	}
	for _, tt := range tests {
		got, err := ParseCommand(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseCommand(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseCommand(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}
