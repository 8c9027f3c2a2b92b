package kafkaclient

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestAListenerThatIsNotKafkaIsNamedSo points Connect at a port that
// answers like a web server: the reason says the answer is not Kafka's,
// not that nothing answered.
func TestAListenerThatIsNotKafkaIsNamedSo(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				buf := make([]byte, 512)
				_, _ = conn.Read(buf)
				_, _ = conn.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
				_, _ = io.Copy(io.Discard, conn) // open until kscope hangs up, as a server would keep it
			}()
		}
	}()
	_, err = Connect(context.Background(), Config{Brokers: []string{l.Addr().String()}, ConnectTimeout: 2 * time.Second})
	if msg := err.Error(); !strings.Contains(msg, "not in Kafka's protocol") || strings.Contains(msg, "no answer") {
		t.Errorf("error %q", msg)
	}
}
