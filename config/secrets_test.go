package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kscope/kafkaclient"
)

func TestPasswordSources(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := fakeEnv(map[string]string{"KAFKA_PW": "from-env"})
	for _, tc := range []struct {
		name    string
		src     SASLSource
		want    string
		wantErr string
	}{
		{"inline", SASLSource{Password: "inline"}, "inline", ""},
		{"file", SASLSource{PasswordFile: pwFile}, "from-file", ""},
		{"missing file", SASLSource{PasswordFile: filepath.Join(dir, "nope")}, "", "SASL password file: open " + filepath.Join(dir, "nope")},
		{"env", SASLSource{PasswordEnv: "KAFKA_PW"}, "from-env", ""},
		{"unset env", SASLSource{PasswordEnv: "OTHER"}, "", "SASL password: environment variable OTHER is not set"},
		{"command", SASLSource{PasswordCommand: "printf secret"}, "secret", ""},
		{"command with newline", SASLSource{PasswordCommand: "echo secret"}, "secret", ""},
		{"silent command", SASLSource{PasswordCommand: "true"}, "", `SASL password command printed nothing`},
		{"failing command", SASLSource{PasswordCommand: "printf hunter2; echo hunter2 >&2; exit 3"}, "",
			`SASL password command failed (exit status 3)`},
		{"command leaving a child behind", SASLSource{PasswordCommand: "printf hunter2; sleep 30 &"}, "hunter2", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.src.Mechanism, tc.src.Username = "PLAIN", "u"
			got, err := tc.src.Resolve(env, 2*time.Second)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one starting %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("error %q shows the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := (&kafkaclient.SASL{Mechanism: "PLAIN", Username: "u", Password: tc.want}); *got != *want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

// TestPasswordCommandTimeout: a command that never answers, or that
// answers and leaves a child holding the pipe, ends within the timeout.
func TestPasswordCommandTimeout(t *testing.T) {
	for _, command := range []string{"exec sleep 5", "sleep 5 & sleep 5"} {
		_, err := (&SASLSource{PasswordCommand: command}).Resolve(fakeEnv(nil), 500*time.Millisecond)
		if err == nil || err.Error() != "SASL password command: no answer within 500ms" {
			t.Errorf("%s: error %v, want a timeout", command, err)
		}
	}
}
