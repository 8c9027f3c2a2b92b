package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestScramCredentialsListsMechanismsNotSecrets sets credentials for two
// users through AlterUserScramCredentials and reads them back: users,
// mechanisms and iterations, and nothing of the passwords.
func TestScramCredentialsListsMechanismsNotSecrets(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1)
	// Kafka describes every user for a null or an empty list; kfake only
	// for null, and sarama cannot send null: the empty list is made null.
	c.ControlKey(int16(kmsg.DescribeUserSCRAMCredentials), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		if r := req.(*kmsg.DescribeUserSCRAMCredentialsRequest); len(r.Users) == 0 {
			r.Users = nil
		}
		return nil, nil, false
	})
	cl := connect(t, c)
	b := openBroker(t, c)
	upsert := func(user string, m sarama.ScramMechanismType, iterations int32) sarama.AlterUserScramCredentialsUpsert {
		return sarama.AlterUserScramCredentialsUpsert{Name: user, Mechanism: m, Iterations: iterations, Password: []byte("hunter2-" + user)}
	}
	// Kafka takes one change a user a request.
	for _, batch := range [][]sarama.AlterUserScramCredentialsUpsert{
		{upsert("bob", sarama.SCRAM_MECHANISM_SHA_512, 8192), upsert("alice", sarama.SCRAM_MECHANISM_SHA_256, 4096)},
		{upsert("alice", sarama.SCRAM_MECHANISM_SHA_512, 4096)},
	} {
		resp, err := b.AlterUserScramCredentials(&sarama.AlterUserScramCredentialsRequest{Upsertions: batch})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range resp.Results {
			if !errors.Is(r.ErrorCode, sarama.ErrNoError) {
				t.Fatalf("%s: %v", r.User, r.ErrorCode)
			}
		}
	}
	creds, err := cl.ScramCredentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(creds)
	if want := "[{alice SCRAM-SHA-256 4096} {alice SCRAM-SHA-512 4096} {bob SCRAM-SHA-512 8192}]"; got != want {
		t.Errorf("credentials %s, want %s", got, want)
	}
	if strings.Contains(fmt.Sprintf("%#v", creds), "hunter2") {
		t.Error("a password came back")
	}
}
