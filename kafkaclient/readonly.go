package kafkaclient

import (
	"errors"
	"fmt"
)

// ErrReadOnly is returned by every call that would change the cluster
// while the client is read-only.
var ErrReadOnly = errors.New("read-only mode: kscope does not change the cluster")

// ReadOnly reports whether calls that change the cluster are refused.
func (c *Client) ReadOnly() bool { return c.cfg.ReadOnly }

// guardWrite is the first statement of every call that changes the
// cluster: read-only mode is enforced here, not only hidden in the UI.
func (c *Client) guardWrite(op string) error {
	if c.cfg.ReadOnly {
		return fmt.Errorf("%s: %w", op, ErrReadOnly)
	}
	return nil
}
