package ui

import (
	"reflect"
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
		{in: "nosuch", wantErr: `unknown command "nosuch"; known: topics, topic NAME, brokers, health, groups, group NAME, contexts, schemas, acls, users, quotas, transactions, history, tail TOPIC [--from`},
		{in: "tail orders", want: Command{Name: "tail", Arg: "orders"}},
		{in: "groups", want: Command{Name: "groups"}},
		{in: "cg", want: Command{Name: "groups"}},
		{in: "group billing", want: Command{Name: "group", Arg: "billing"}},
		{in: "group", wantErr: "group needs NAME"},
		{in: "tail orders --from earliest", want: Command{Name: "tail", Arg: "orders", From: "earliest"}},
		{in: "tail orders --from=-15m --partitions 3,0,3", want: Command{Name: "tail", Arg: "orders", From: "-15m", Partitions: []int32{0, 3}}},
		{in: "tail --from -100 orders", want: Command{Name: "tail", Arg: "orders", From: "-100"}},
		{in: "tail orders --from 2026-11-21T09:00:00Z", want: Command{Name: "tail", Arg: "orders", From: "2026-11-21T09:00:00Z"}},
		{in: "tail orders --from yesterday", wantErr: `bad --from "yesterday"`},
		{in: "tail orders --partitions a,b", wantErr: `bad --partitions "a,b"`},
		{in: "tail orders --from", wantErr: "--from needs a value"},
		{in: "tail orders --limit 3", wantErr: "unknown option --limit"},
		{in: "tail", wantErr: "tail needs TOPIC"},
		{in: `tail orders --from earliest --filter .tier == "gold"  and .n > 1`, want: Command{Name: "tail", Arg: "orders", From: "earliest", Filter: `.tier == "gold"  and .n > 1`}},
		{in: "tail orders --filter=needle --from earliest", want: Command{Name: "tail", Arg: "orders", Filter: "needle --from earliest"}},
		{in: "tail orders --filter", wantErr: "--filter needs an expression"},
		{in: "topics --filter x", wantErr: "topics takes no --filter"},
		{in: "tail orders --filterx 3", wantErr: "unknown option --filterx"},
		{in: "topics --from 1", wantErr: "topics takes no options"},
	}
	for _, tt := range tests {
		got, err := ParseCommand(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseCommand(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseCommand(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}
