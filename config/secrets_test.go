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
		{"silent command", SASLSource{PasswordCommand: "true"}, "", `SASL password command "true" printed nothing`},
		{"failing command", SASLSource{PasswordCommand: "printf hunter2; echo locked >&2; exit 3"}, "",
			`SASL password command "printf hunter2; echo locked >&2; exit 3": exit status 3: locked`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.src.Mechanism, tc.src.Username = "PLAIN", "u"
			got, err := tc.src.Resolve(env)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one starting %q", err, tc.wantErr)
				}
				if strings.Contains(strings.ReplaceAll(err.Error(), tc.src.PasswordCommand, ""), "hunter2") {
					t.Errorf("error %q shows the command's output", err)
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

func TestPasswordCommandTimeout(t *testing.T) {
	start := time.Now()
	_, err := (&SASLSource{PasswordCommand: "exec sleep 5"}).resolve(fakeEnv(nil), 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "no answer within 100ms") {
		t.Errorf("error %v, want a timeout", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s", d)
	}
}
