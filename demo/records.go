package demo

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/IBM/sarama"
)

// records makes the demo's records. Its counters make ids unique and
// increasing, so it belongs to one goroutine at a time.
type records struct {
	orderSeq  int
	paySeq    int
	sensorSeq uint32
}

// newRecords starts the ids high, like a shop that has been open a while.
func newRecords() *records {
	return &records{orderSeq: 100000, paySeq: 500000}
}

type orderCustomer struct {
	ID   string `json:"id"`
	Tier string `json:"tier"`
}

type order struct {
	OrderID  string        `json:"order_id"`
	Customer orderCustomer `json:"customer"`
	Amount   float64       `json:"amount"`
	Currency string        `json:"currency"`
	Items    int           `json:"items"`
	TS       string        `json:"ts"`
}

var (
	currencies = []string{"EUR", "EUR", "EUR", "USD", "USD", "GBP", "CHF", "SEK"}
	sources    = []string{"web", "web", "mobile-ios", "mobile-android", "pos"}
)

func (r *records) order(at time.Time) *sarama.ProducerMessage {
	r.orderSeq++
	id := fmt.Sprintf("o-%d", r.orderSeq)
	customer := 1 + rand.IntN(500)
	items := 1 + rand.IntN(8)
	v := order{
		OrderID:  id,
		Customer: orderCustomer{ID: fmt.Sprintf("c-%d", customer), Tier: tier(customer)},
		Amount:   cents(float64(items) * (4 + rand.Float64()*60)),
		Currency: pick(currencies),
		Items:    items,
		TS:       stamp(at),
	}
	return &sarama.ProducerMessage{
		Topic:     topicOrders,
		Key:       sarama.StringEncoder(id),
		Value:     jsonValue(v),
		Timestamp: at,
		Headers: []sarama.RecordHeader{
			{Key: []byte("trace-id"), Value: []byte(r.traceID())},
			{Key: []byte("source"), Value: []byte(pick(sources))},
			{Key: []byte("content-type"), Value: []byte("application/json")},
		},
	}
}

// tier is fixed per customer, so filtering orders by tier follows customers.
func tier(customer int) string {
	switch customer % 10 {
	case 0, 1:
		return "gold"
	case 2, 3, 4:
		return "silver"
	}
	return "bronze"
}

type payment struct {
	PaymentID string  `json:"payment_id"`
	OrderID   string  `json:"order_id"`
	Amount    float64 `json:"amount"`
	Currency  string  `json:"currency"`
	Method    string  `json:"method"`
	Status    string  `json:"status"`
	TS        string  `json:"ts"`
}

var (
	payMethods  = []string{"card", "card", "card", "paypal", "sepa", "apple_pay", "google_pay"}
	payStatuses = []string{"authorized", "authorized", "captured", "captured", "captured", "declined", "refunded"}
)

func (r *records) payment(at time.Time) *sarama.ProducerMessage {
	r.paySeq++
	// Payments follow recent orders and are keyed by them, so an order and
	// its payments meet in the same partition number.
	orderID := fmt.Sprintf("o-%d", r.orderSeq-rand.IntN(200))
	v := payment{
		PaymentID: fmt.Sprintf("p-%d", r.paySeq),
		OrderID:   orderID,
		Amount:    cents(5 + rand.Float64()*300),
		Currency:  pick(currencies),
		Method:    pick(payMethods),
		Status:    pick(payStatuses),
		TS:        stamp(at),
	}
	return &sarama.ProducerMessage{
		Topic:     topicPayments,
		Key:       sarama.StringEncoder(orderID),
		Value:     jsonValue(v),
		Timestamp: at,
	}
}

type logTemplate struct {
	level, service, text string
}

// logTemplates are picked at random; repeats weight the mix towards INFO.
var logTemplates = []logTemplate{
	{"INFO", "checkout-svc", "request handled path=/cart status=200 dur=%dms"},
	{"INFO", "checkout-svc", "request handled path=/checkout status=200 dur=%dms"},
	{"INFO", "cart-svc", "item added path=/cart/items status=201 dur=%dms"},
	{"INFO", "search-api", "query served path=/search status=200 dur=%dms"},
	{"INFO", "auth-svc", "token issued path=/oauth/token status=200 dur=%dms"},
	{"INFO", "payment-gw", "charge authorized path=/pay status=200 dur=%dms"},
	{"INFO", "search-api", "query served path=/search status=200 dur=%dms"},
	{"INFO", "checkout-svc", "request handled path=/cart status=200 dur=%dms"},
	{"DEBUG", "cart-svc", "cache hit key=cart:%d"},
	{"WARN", "search-api", "slow query path=/search status=200 dur=%dms"},
	{"WARN", "auth-svc", "login failed path=/login status=401 dur=%dms"},
	{"ERROR", "payment-gw", "upstream timeout path=/pay status=504 dur=%dms err=\"context deadline exceeded\""},
}

func (r *records) logLine(at time.Time) *sarama.ProducerMessage {
	t := logTemplates[rand.IntN(len(logTemplates))]
	line := fmt.Sprintf("%s %s %s "+t.text, at.UTC().Format(time.RFC3339), t.level, t.service, 2+rand.IntN(400))
	return &sarama.ProducerMessage{Topic: topicAppLogs, Value: sarama.StringEncoder(line), Timestamp: at}
}

// hostileLogLine is a log line carrying what a terminal must never execute:
// a window-title OSC, a clear-screen CSI, a bidi override and invalid UTF-8.
// kscope shows it escaped; the demo makes sure there is one to show.
func hostileLogLine(at time.Time) *sarama.ProducerMessage {
	line := at.UTC().Format(time.RFC3339) + " WARN search-api suspicious input path=/search" +
		" q=\"\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[0m\"" +
		" ua=\"\u202egnp.exe\" raw=\xff\xfe status=400 dur=3ms"
	return &sarama.ProducerMessage{Topic: topicAppLogs, Value: sarama.StringEncoder(line), Timestamp: at}
}

// sensorReading is the fixed 32-byte part of a sensor-readings value; up to
// eight little-endian float32 vibration samples follow it.
type sensorReading struct {
	Device      uint32
	Seq         uint32
	UnixMilli   int64
	Temperature float32
	Humidity    float32
	Pressure    float32
	Battery     uint16
	Flags       uint16
}

func (r *records) sensor(at time.Time) *sarama.ProducerMessage {
	r.sensorSeq++
	device := uint32(1000 + rand.IntN(64))
	reading := sensorReading{
		Device:      device,
		Seq:         r.sensorSeq,
		UnixMilli:   at.UnixMilli(),
		Temperature: float32(18 + 8*math.Sin(float64(at.Unix()%3600)/3600*2*math.Pi) + rand.NormFloat64()),
		Humidity:    float32(40 + rand.Float64()*20),
		Pressure:    float32(1013 + rand.NormFloat64()*4),
		Battery:     uint16(2800 + rand.IntN(900)),
		Flags:       uint16(rand.IntN(4)),
	}
	value, err := binary.Append(make([]byte, 0, 64), binary.LittleEndian, &reading)
	if err != nil {
		panic(err) // sensorReading is fixed-size: Append cannot fail
	}
	for range rand.IntN(9) {
		value = binary.LittleEndian.AppendUint32(value, math.Float32bits(float32(rand.NormFloat64())))
	}
	key := binary.BigEndian.AppendUint64(nil, 0x5e_0000_0000_0000|uint64(device))
	msg := &sarama.ProducerMessage{
		Topic:     topicSensors,
		Key:       sarama.ByteEncoder(key),
		Value:     sarama.ByteEncoder(value),
		Timestamp: at,
	}
	if reading.Flags == 3 {
		// A binary header value, for header views that must not assume text.
		msg.Headers = []sarama.RecordHeader{{Key: []byte("fw"), Value: []byte{1, 4, 0x9a, 0xff}}}
	}
	return msg
}

type userEvent struct {
	UserID    string `json:"user_id"`
	Event     string `json:"event"`
	Page      string `json:"page,omitempty"`
	SessionID string `json:"session_id"`
	Device    string `json:"device"`
	TS        string `json:"ts"`
}

var (
	userEventKinds = []string{"page_view", "page_view", "page_view", "search", "add_to_cart", "login", "logout", "checkout"}
	devices        = []string{"desktop", "desktop", "mobile", "mobile", "tablet"}
)

func (r *records) userEvent(at time.Time) *sarama.ProducerMessage {
	user := fmt.Sprintf("u-%d", 1+rand.IntN(2000))
	kind := pick(userEventKinds)
	v := userEvent{
		UserID:    user,
		Event:     kind,
		SessionID: fmt.Sprintf("s-%08x", rand.Uint32()),
		Device:    pick(devices),
		TS:        stamp(at),
	}
	if kind == "page_view" {
		v.Page = fmt.Sprintf("/products/%d", 1+rand.IntN(300))
	}
	return &sarama.ProducerMessage{
		Topic:     topicUsers,
		Key:       sarama.StringEncoder(user),
		Value:     jsonValue(v),
		Timestamp: at,
		Headers: []sarama.RecordHeader{
			{Key: []byte("event-type"), Value: []byte(kind)},
			{Key: []byte("schema-version"), Value: []byte("3")},
			{Key: []byte("trace-id"), Value: []byte(r.traceID())},
		},
	}
}

type auditEntry struct {
	Entity string `json:"entity"`
	Action string `json:"action"`
	Actor  string `json:"actor"`
	TS     string `json:"ts"`
}

var (
	auditEntities = []string{"user:u-17", "user:u-42", "user:u-108", "user:u-1337", "role:admin", "role:support",
		"feature:new-checkout", "feature:dark-mode", "apikey:k-3", "apikey:k-9", "config:payment-gw", "config:search-api"}
	auditActions = []string{"created", "updated", "updated", "updated", "role.grant", "role.revoke", "rotated", "enabled", "disabled"}
	auditActors  = []string{"alice@example.com", "bob@example.com", "ci-bot", "terraform"}
)

func (r *records) auditEntry(at time.Time) *sarama.ProducerMessage {
	entity := pick(auditEntities)
	msg := &sarama.ProducerMessage{Topic: topicAudit, Key: sarama.StringEncoder(entity), Timestamp: at}
	// A compacted topic also carries tombstones: a key with no value.
	if rand.IntN(20) != 0 {
		msg.Value = jsonValue(auditEntry{Entity: entity, Action: pick(auditActions), Actor: pick(auditActors), TS: stamp(at)})
	}
	return msg
}

func (r *records) traceID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	return hex.EncodeToString(b[:])
}

func pick(from []string) string { return from[rand.IntN(len(from))] }

func cents(x float64) float64 { return math.Round(x*100) / 100 }

func stamp(at time.Time) string { return at.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

func jsonValue(v any) sarama.Encoder {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // the demo's record types always marshal
	}
	return sarama.ByteEncoder(b)
}
