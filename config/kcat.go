package config

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"kscope/kafkaclient"
)

// Props are kcat-style settings (librdkafka property names). Apply lays
// them over a context: a configured one, or one made of their Brokers when
// the properties are all kscope is given.
type Props struct {
	// Brokers are bootstrap.servers, for a cluster given by properties alone.
	Brokers []string
	// set holds each property given, by canonical name, so that over a
	// context only those replace its settings.
	set map[string]string
}

// propKeys are the properties kscope understands, in the order errors list them.
var propKeys = []string{
	"bootstrap.servers", "metadata.broker.list", "client.id", "security.protocol",
	"sasl.mechanism", "sasl.mechanisms", "sasl.username", "sasl.password",
	"ssl.ca.location", "ssl.certificate.location", "ssl.key.location", "enable.ssl.certificate.verification",
	propRegistryURL, propRegistryAuth, propRegistryCA,
}

// propSynonyms maps librdkafka's alternative names to the canonical ones.
var propSynonyms = map[string]string{
	"metadata.broker.list": "bootstrap.servers",
	"sasl.mechanisms":      "sasl.mechanism",
}

// saslProps and sslProps each switch on their layer when security.protocol is absent.
var (
	saslProps = []string{"sasl.mechanism", "sasl.username", "sasl.password"}
	sslProps  = []string{"ssl.ca.location", "ssl.certificate.location", "ssl.key.location", "enable.ssl.certificate.verification"}
)

var securityProtocols = []string{"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"}

// ParseProps reads "key=value" items; a later item overrides an earlier one.
// Errors never repeat a sasl.password value.
func ParseProps(pairs []string) (*Props, error) {
	p := &Props{set: map[string]string{}}
	for _, item := range pairs {
		key, value, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("property %s has no '=' (want key=value)", redactItem(item))
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !slices.Contains(propKeys, key) {
			return nil, fmt.Errorf("unknown property %q (kscope knows %s)", key, strings.Join(propKeys, ", "))
		}
		if canon, ok := propSynonyms[key]; ok {
			key = canon
		}
		value, err := checkProp(key, value)
		if err != nil {
			return nil, err
		}
		p.set[key] = value
	}
	if v, ok := p.set["bootstrap.servers"]; ok {
		p.Brokers = splitServers(v)
	}
	return p, nil
}

// redactItem shows a malformed item, except one that may hold a password
// (sasl.password:hunter2), of which it shows only the key.
func redactItem(item string) string {
	if lower := strings.ToLower(item); !strings.Contains(lower, "password") && !strings.Contains(lower, "user.info") {
		return strconv.Quote(item)
	}
	key := strings.FieldsFunc(item, func(r rune) bool {
		return r != '.' && r != '_' && r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(key) == 0 {
		return "(redacted)"
	}
	return strconv.Quote(key[0]) + "… (rest redacted)"
}

// checkProp returns value in its canonical form, or an error listing the
// values key takes.
func checkProp(key, value string) (string, error) {
	switch key {
	case "security.protocol":
		if v := strings.ToUpper(value); slices.Contains(securityProtocols, v) {
			return v, nil
		}
		return "", fmt.Errorf("security.protocol %q is not one of %s", value, strings.Join(securityProtocols, ", "))
	case "sasl.mechanism":
		if value == "" {
			return "", errors.New("sasl.mechanism is empty (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)")
		}
		return saslMechanism(value)
	case "bootstrap.servers":
		for _, b := range splitServers(value) {
			if err := CheckBroker(b); err != nil {
				return "", fmt.Errorf("%s: %w", key, err)
			}
		}
	case "enable.ssl.certificate.verification":
		b, err := strconv.ParseBool(value)
		if err != nil {
			return "", fmt.Errorf("enable.ssl.certificate.verification %q is not true or false", value)
		}
		return strconv.FormatBool(b), nil
	}
	return value, checkRegistryProp(key, value)
}

// splitServers splits a broker list as librdkafka does, at commas or spaces.
func splitServers(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
}

// protocol is security.protocol, or the one the other properties imply:
// sasl.* means SASL, ssl.* means SSL, both mean SASL_SSL.
func (p *Props) protocol() string {
	if proto, ok := p.set["security.protocol"]; ok {
		return proto
	}
	sasl, ssl := p.anySet(saslProps) != "", p.anySet(sslProps) != ""
	switch {
	case sasl && ssl:
		return "SASL_SSL"
	case sasl:
		return "SASL_PLAINTEXT"
	case ssl:
		return "SSL"
	}
	return "PLAINTEXT"
}

// anySet returns the first of keys that was given, or "".
func (p *Props) anySet(keys []string) string {
	for _, k := range keys {
		if _, ok := p.set[k]; ok {
			return k
		}
	}
	return ""
}

// overTLS returns t with the ssl.* properties given replacing its fields.
func (p *Props) overTLS(t kafkaclient.TLS) *kafkaclient.TLS {
	for key, dst := range map[string]*string{"ssl.ca.location": &t.CAFile, "ssl.certificate.location": &t.CertFile, "ssl.key.location": &t.KeyFile} {
		if v, ok := p.set[key]; ok {
			*dst = v
		}
	}
	if v, ok := p.set["enable.ssl.certificate.verification"]; ok {
		t.InsecureSkipVerify = v == "false"
	}
	return &t
}

// conflicts finds properties that contradict an explicit security.protocol,
// which would otherwise be silently ignored.
func (p *Props) conflicts() error {
	if proto, ok := p.set["security.protocol"]; ok {
		if k := p.anySet(saslProps); k != "" && !strings.HasPrefix(proto, "SASL_") {
			return fmt.Errorf("%s is set, but security.protocol %s does not use SASL (SASL_%s does)", k, proto, proto)
		}
		if k := p.anySet(sslProps); k != "" && !strings.HasSuffix(proto, "SSL") {
			return fmt.Errorf("%s is set, but security.protocol %s does not use TLS (%s does)", k, proto, strings.Replace(proto, "PLAINTEXT", "SSL", 1))
		}
	}
	_, cert := p.set["ssl.certificate.location"]
	_, key := p.set["ssl.key.location"]
	switch {
	case cert && !key:
		return errors.New("ssl.certificate.location needs ssl.key.location")
	case key && !cert:
		return errors.New("ssl.key.location needs ssl.certificate.location")
	}
	return nil
}

// Apply returns c with the properties given replacing its settings, field by
// field: -X sasl.password=… keeps the context's username. security.protocol,
// when given, also turns SASL and TLS on or off.
func (p *Props) Apply(c Context) (Context, error) {
	if err := p.conflicts(); err != nil {
		return Context{}, err
	}
	if len(p.Brokers) > 0 {
		c.Brokers = p.Brokers
	}
	c, err := p.applyRegistry(c)
	if err != nil {
		return Context{}, err
	}
	if v, ok := p.set["client.id"]; ok {
		c.ClientID = v
	}
	proto := p.protocol()
	_, explicit := p.set["security.protocol"]
	if c.SASL != nil {
		s := *c.SASL
		c.SASL = &s
	}
	switch {
	case explicit && !strings.HasPrefix(proto, "SASL_"):
		c.SASL = nil
	case strings.HasPrefix(proto, "SASL_"):
		if c.SASL == nil {
			c.SASL = &SASLSource{Mechanism: "PLAIN"}
		}
		if v, ok := p.set["sasl.mechanism"]; ok {
			c.SASL.Mechanism = v
		}
		if v, ok := p.set["sasl.username"]; ok {
			c.SASL.Username = v
		}
		if v, ok := p.set["sasl.password"]; ok {
			*c.SASL = SASLSource{Mechanism: c.SASL.Mechanism, Username: c.SASL.Username, Password: v}
		}
		if c.SASL.Username == "" {
			return Context{}, fmt.Errorf("context %q with security.protocol %s needs sasl.username", c.Name, proto)
		}
		if !c.SASL.hasPassword() {
			return Context{}, fmt.Errorf("context %q with security.protocol %s needs sasl.password (or a password source in the config file)", c.Name, proto)
		}
	}
	switch {
	case explicit && !strings.HasSuffix(proto, "SSL"):
		c.TLS = nil
	case strings.HasSuffix(proto, "SSL"):
		base := kafkaclient.TLS{}
		if c.TLS != nil {
			base = *c.TLS
		}
		c.TLS = p.overTLS(base)
	}
	return c, nil
}

// ReadPropsFile reads a kcat -F file: key=value lines, with blank lines and
// # comments skipped. It returns the lines as items for ParseProps. Errors
// give path:line but not the line, which may hold a password.
func ReadPropsFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var pairs []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !strings.Contains(line, "=") {
			return nil, fmt.Errorf("%s:%d: want key=value", path, n)
		}
		pairs = append(pairs, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pairs, nil
}
