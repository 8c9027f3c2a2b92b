package kafkaclient

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/IBM/sarama"
)

// ScramCredential is one SCRAM credential of a user: the mechanism and
// its iterations. Kafka never sends a salt or a password back, and
// neither does this.
type ScramCredential struct {
	User, Mechanism string
	Iterations      int32
}

// ScramCredentials lists every user's SCRAM credentials, sorted by user
// then mechanism, with one DescribeUserScramCredentials request (Kafka
// 2.7 and later).
func (c *Client) ScramCredentials(ctx context.Context) ([]ScramCredential, error) {
	if !c.sconf.Version.IsAtLeast(sarama.V2_7_0_0) {
		return nil, fmt.Errorf("describe SCRAM credentials: Kafka %s does not have the request (2.7 and later do)", c.sconf.Version)
	}
	var resp *sarama.DescribeUserScramCredentialsResponse
	if err := c.askAny(ctx, func(b *sarama.Broker) (err error) {
		resp, err = b.DescribeUserScramCredentials(&sarama.DescribeUserScramCredentialsRequest{})
		return err
	}); err != nil {
		return nil, fmt.Errorf("describe SCRAM credentials: %w", err)
	}
	if err := answerError("describe SCRAM credentials", resp.ErrorCode, resp.ErrorMessage); err != nil {
		return nil, err
	}
	var out []ScramCredential
	for _, r := range resp.Results {
		if err := answerError("describe SCRAM credentials of "+r.User, r.ErrorCode, r.ErrorMessage); err != nil {
			return nil, err
		}
		for _, ci := range r.CredentialInfos {
			out = append(out, ScramCredential{User: r.User, Mechanism: ci.Mechanism.String(), Iterations: ci.Iterations})
		}
	}
	slices.SortFunc(out, func(a, b ScramCredential) int {
		return cmp.Or(cmp.Compare(a.User, b.User), cmp.Compare(a.Mechanism, b.Mechanism))
	})
	return out, nil
}

// answerError is what a response's error code and message say, or nil.
func answerError(op string, code sarama.KError, msg *string) error {
	switch {
	case errors.Is(code, sarama.ErrNoError):
		return nil
	case msg != nil && *msg != "":
		return fmt.Errorf("%s: %w: %s", op, code, *msg)
	}
	return fmt.Errorf("%s: %w", op, code)
}
