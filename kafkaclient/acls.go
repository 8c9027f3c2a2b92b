package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"unicode"

	"github.com/IBM/sarama"
)

// ACL is one access-control binding: a principal allowed or denied an
// operation on the resources a pattern names. The words are Kafka's own,
// as kafka-acls prints them (TOPIC, PREFIXED, READ, ALLOW).
type ACL struct {
	Principal, Host, Operation, Permission string
	ResourceType, PatternType, Resource    string
}

// ACLs lists every binding the cluster holds, sorted by resource then
// principal, with one DescribeAcls request. A cluster without an
// authorizer says so in the error.
func (c *Client) ACLs(ctx context.Context) ([]ACL, error) {
	return c.describeACLs(ctx, "describe ACLs", sarama.AclResourceAny)
}

// ACLsFor lists the bindings that apply to one topic or group: those
// naming it, the wildcard and the prefixes it begins with, as Kafka's
// MATCH filter finds them (kafka-acls --list --resource-pattern-type
// match). The bindings of the resource type are read with one
// DescribeAcls and matched here, the same way whatever the broker.
func (c *Client) ACLsFor(ctx context.Context, resourceType, name string) ([]ACL, error) {
	var rt sarama.AclResourceType
	switch resourceType {
	case "TOPIC":
		rt = sarama.AclResourceTopic
	case "GROUP":
		rt = sarama.AclResourceGroup
	default:
		return nil, fmt.Errorf("ACLs of %s %s: only topics and groups are looked up", resourceType, name)
	}
	all, err := c.describeACLs(ctx, fmt.Sprintf("describe the ACLs of %s %s", strings.ToLower(resourceType), name), rt)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, a := range all {
		if a.AppliesTo(name) {
			out = append(out, a)
		}
	}
	return out, nil
}

// AppliesTo tells whether the binding's pattern takes in the resource
// called name: the literal name itself, the literal wildcard, or a prefix
// of name.
func (a ACL) AppliesTo(name string) bool {
	switch a.PatternType {
	case "LITERAL":
		return a.Resource == name || a.Resource == "*"
	case "PREFIXED":
		return strings.HasPrefix(name, a.Resource)
	}
	return false
}

// describeACLs sends one DescribeAcls for the resource type given, any
// pattern, name, principal, host, operation and permission.
func (c *Client) describeACLs(ctx context.Context, op string, rt sarama.AclResourceType) ([]ACL, error) {
	version := requestVersion(apiKeyDescribeAcls, c.sconf.Version)
	req := &sarama.DescribeAclsRequest{Version: int(version), AclFilter: sarama.AclFilter{
		Version:                   int(version),
		ResourceType:              rt,
		ResourcePatternTypeFilter: sarama.AclPatternAny,
		Operation:                 sarama.AclOperationAny,
		PermissionType:            sarama.AclPermissionAny,
	}}
	if version < 1 {
		// Before patterns, a filter matched literal names only.
		req.ResourcePatternTypeFilter = sarama.AclPatternLiteral
	}
	var resp *sarama.DescribeAclsResponse
	if err := c.askAny(ctx, func(b *sarama.Broker) (err error) {
		resp, err = b.DescribeAcls(req)
		return err
	}); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if err := answerError(op, resp.Err, resp.ErrMsg); err != nil {
		return nil, err
	}
	if version < 1 {
		// Version 0 answers carry no pattern type: every binding was literal.
		for _, r := range resp.ResourceAcls {
			r.ResourcePatternType = sarama.AclPatternLiteral
		}
	}
	return aclsOf(resp.ResourceAcls), nil
}

// Pattern is the binding's resource as Kafka prints it:
// ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL).
func (a ACL) Pattern() string {
	return "ResourcePattern(resourceType=" + a.ResourceType + ", name=" + a.Resource + ", patternType=" + a.PatternType + ")"
}

// Entry is who is allowed or denied what, from where, as Kafka prints it:
// (principal=User:alice, host=*, operation=READ, permissionType=ALLOW).
func (a ACL) Entry() string {
	return "(principal=" + a.Principal + ", host=" + a.Host + ", operation=" + a.Operation + ", permissionType=" + a.Permission + ")"
}

// String is the whole binding as Kafka prints an AclBinding, so that an
// audit entry names it in the words kafka-acls uses.
func (a ACL) String() string { return "(pattern=" + a.Pattern() + ", entry=" + a.Entry() + ")" }

// CreateACL adds one binding, checked with ValidateACL before anything is
// sent. Adding a binding the cluster already holds changes nothing.
func (c *Client) CreateACL(ctx context.Context, a ACL) error {
	const op = "create ACL"
	if err := c.guardWrite(op); err != nil {
		return err
	}
	if err := ValidateACL(a); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	version, err := c.aclVersion(a)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	res, entry, _ := saramaBinding(a)
	req := &sarama.CreateAclsRequest{Version: version, AclCreations: []*sarama.AclCreation{{Resource: res, Acl: entry}}}
	var resp *sarama.CreateAclsResponse
	if err := c.askAny(ctx, func(b *sarama.Broker) (err error) {
		resp, err = b.CreateAcls(req)
		return err
	}); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if len(resp.AclCreationResponses) != 1 {
		return fmt.Errorf("%s: %w", op, sarama.ErrIncompleteResponse)
	}
	r := resp.AclCreationResponses[0]
	return answerError(op, r.Err, r.ErrMsg)
}

// DeleteACL removes the binding a, as ACLs listed it, and no other: every
// field of the filter it sends is the binding's own value, never "any",
// and the pattern type is the binding's (LITERAL or PREFIXED), never
// MATCH, so Kafka compares each one exactly. deleted is how many bindings
// the cluster removed: 1, or 0 when it was already gone.
func (c *Client) DeleteACL(ctx context.Context, a ACL) (deleted int, err error) {
	const op = "delete ACL"
	if err := c.guardWrite(op); err != nil {
		return 0, err
	}
	res, entry, err := saramaBinding(a)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	version, err := c.aclVersion(a)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	req := &sarama.DeleteAclsRequest{Version: int(version), Filters: []*sarama.AclFilter{{
		ResourceType: res.ResourceType, ResourceName: &res.ResourceName, ResourcePatternTypeFilter: res.ResourcePatternType,
		Principal: &entry.Principal, Host: &entry.Host, Operation: entry.Operation, PermissionType: entry.PermissionType,
	}}}
	var resp *sarama.DeleteAclsResponse
	if err := c.askAny(ctx, func(b *sarama.Broker) (err error) {
		resp, err = b.DeleteAcls(req)
		return err
	}); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	if len(resp.FilterResponses) != 1 {
		return 0, fmt.Errorf("%s: %w", op, sarama.ErrIncompleteResponse)
	}
	fr := resp.FilterResponses[0]
	if err := answerError(op, fr.Err, fr.ErrMsg); err != nil {
		return 0, err
	}
	var errs []error
	for _, m := range fr.MatchingAcls {
		if err := answerError(op, m.Err, m.ErrMsg); err != nil {
			errs = append(errs, err)
			continue
		}
		deleted++
	}
	return deleted, errors.Join(errs...)
}

// aclVersion is the version of CreateAcls and DeleteAcls to send. Both
// took pattern types (version 1) in Kafka 2.0, in the same change as
// DescribeAcls (KIP-290), so DescribeAcls' steps are theirs too. Before
// that every binding was literal: a prefixed one cannot be sent, and a
// version 0 delete filter would match the literal binding of that name.
func (c *Client) aclVersion(a ACL) (int16, error) {
	version := requestVersion(apiKeyDescribeAcls, c.sconf.Version)
	if version < 1 && a.PatternType != "LITERAL" {
		return 0, &FieldError{Field: "PatternType", Msg: fmt.Sprintf("Kafka %s has literal bindings only (prefixed ones came with 2.0)", c.sconf.Version)}
	}
	return version, nil
}

// The values kscope sends for the enumerated fields of an ACL, in the
// order a form offers them. Their words are kafkaWord of sarama's names,
// the words the list shows, so a listed binding reads back as it was.
var (
	aclResourceTypes = []sarama.AclResourceType{sarama.AclResourceTopic, sarama.AclResourceGroup, sarama.AclResourceCluster,
		sarama.AclResourceTransactionalID, sarama.AclResourceDelegationToken}
	aclOperations = []sarama.AclOperation{sarama.AclOperationRead, sarama.AclOperationWrite, sarama.AclOperationDescribe,
		sarama.AclOperationCreate, sarama.AclOperationDelete, sarama.AclOperationAlter, sarama.AclOperationDescribeConfigs,
		sarama.AclOperationAlterConfigs, sarama.AclOperationClusterAction, sarama.AclOperationIdempotentWrite, sarama.AclOperationAll}
	aclPermissions = []sarama.AclPermissionType{sarama.AclPermissionAllow, sarama.AclPermissionDeny}
	aclPatterns    = []sarama.AclResourcePatternType{sarama.AclPatternLiteral, sarama.AclPatternPrefixed}
)

// aclOperationsOn are the operations each resource type takes, as
// kafka-acls allows them (AclCommand's ResourceTypeToValidOperations):
// a broker stores any pairing, but the authorizer never asks about the
// others, so such a binding would silently do nothing.
var aclOperationsOn = map[sarama.AclResourceType][]sarama.AclOperation{
	sarama.AclResourceTopic: {sarama.AclOperationRead, sarama.AclOperationWrite, sarama.AclOperationDescribe, sarama.AclOperationCreate,
		sarama.AclOperationDelete, sarama.AclOperationAlter, sarama.AclOperationDescribeConfigs, sarama.AclOperationAlterConfigs, sarama.AclOperationAll},
	sarama.AclResourceGroup: {sarama.AclOperationRead, sarama.AclOperationDescribe, sarama.AclOperationDelete, sarama.AclOperationAll},
	sarama.AclResourceCluster: {sarama.AclOperationDescribe, sarama.AclOperationCreate, sarama.AclOperationAlter, sarama.AclOperationDescribeConfigs,
		sarama.AclOperationAlterConfigs, sarama.AclOperationClusterAction, sarama.AclOperationIdempotentWrite, sarama.AclOperationAll},
	sarama.AclResourceTransactionalID: {sarama.AclOperationWrite, sarama.AclOperationDescribe, sarama.AclOperationAll},
	sarama.AclResourceDelegationToken: {sarama.AclOperationDescribe, sarama.AclOperationAll},
}

// ACLChoices are the words kscope can send for one enumerated field of an
// ACL, named as ACL names it ("ResourceType", "PatternType", "Operation",
// "Permission"), in the order a form offers them; nil for other fields.
func ACLChoices(field string) []string {
	switch field {
	case "ResourceType":
		return words(aclResourceTypes, (*sarama.AclResourceType).String)
	case "PatternType":
		return words(aclPatterns, (*sarama.AclResourcePatternType).String)
	case "Operation":
		return words(aclOperations, (*sarama.AclOperation).String)
	case "Permission":
		return words(aclPermissions, (*sarama.AclPermissionType).String)
	}
	return nil
}

func words[T any](values []T, name func(*T) string) []string {
	out := make([]string, len(values))
	for i := range values {
		out[i] = kafkaWord(name(&values[i]))
	}
	return out
}

// valueOf is the value among values whose word is w.
func valueOf[T any](w string, values []T, name func(*T) string) (T, bool) {
	for i := range values {
		if kafkaWord(name(&values[i])) == w {
			return values[i], true
		}
	}
	var zero T
	return zero, false
}

// saramaBinding is a in sarama's values. Each word must name one concrete
// value, never ANY, MATCH or UNKNOWN: that is what makes a delete filter
// built from it match this binding alone. Each unknown word is a
// *FieldError, joined.
func saramaBinding(a ACL) (sarama.Resource, sarama.Acl, error) {
	var errs []error
	pick := func(field, w string, choices []string) {
		errs = append(errs, &FieldError{Field: field, Msg: fmt.Sprintf("%q is not one of %s", w, strings.Join(choices, ", "))})
	}
	rt, ok := valueOf(a.ResourceType, aclResourceTypes, (*sarama.AclResourceType).String)
	if !ok {
		pick("ResourceType", a.ResourceType, ACLChoices("ResourceType"))
	}
	pattern, ok := valueOf(a.PatternType, aclPatterns, (*sarama.AclResourcePatternType).String)
	if !ok {
		pick("PatternType", a.PatternType, ACLChoices("PatternType"))
	}
	op, ok := valueOf(a.Operation, aclOperations, (*sarama.AclOperation).String)
	if !ok {
		pick("Operation", a.Operation, ACLChoices("Operation"))
	}
	perm, ok := valueOf(a.Permission, aclPermissions, (*sarama.AclPermissionType).String)
	if !ok {
		pick("Permission", a.Permission, ACLChoices("Permission"))
	}
	return sarama.Resource{ResourceType: rt, ResourceName: a.Resource, ResourcePatternType: pattern},
		sarama.Acl{Principal: a.Principal, Host: a.Host, Operation: op, PermissionType: perm},
		errors.Join(errs...)
}

// clusterName is the one name a CLUSTER binding has.
const clusterName = "kafka-cluster"

// ValidateACL checks a binding to create with the rules of Kafka and
// kafka-acls before anything is sent, so that mistakes are shown beside
// the field rather than coming back as a broker error, or, worse, as a
// binding that silently never matches. Every problem is a *FieldError
// named after the ACL field, joined.
func ValidateACL(a ACL) error {
	res, entry, err := saramaBinding(a)
	errs := []error{err}
	bad := func(field, msg string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Msg: fmt.Sprintf(msg, args...)})
	}
	typ, user, colon := strings.Cut(a.Principal, ":")
	switch {
	case a.Principal == "":
		bad("Principal", "who the binding is for, as Type:name: User:alice, or User:* for every user")
	case unclean(a.Principal):
		bad("Principal", "%q begins or ends with a space, or holds a control or invisible character", a.Principal)
	case !colon || typ == "" || user == "":
		bad("Principal", "%q is not Type:name, e.g. User:alice (User:* is every user)", a.Principal)
	case strings.EqualFold(typ, "User") && typ != "User":
		// Kafka compares principal types exactly: this one would never match.
		bad("Principal", "the type is written User, exactly: User:%s", user)
	}
	if _, err := netip.ParseAddr(a.Host); err != nil && a.Host != "*" {
		bad("Host", "%q is not an IP address: Kafka matches a client's address, never its host name; * is every host", a.Host)
	}
	if ops, ok := aclOperationsOn[res.ResourceType]; ok && entry.Operation != sarama.AclOperationUnknown && !slices.Contains(ops, entry.Operation) {
		bad("Operation", "%s takes %s", a.ResourceType, strings.Join(words(ops, (*sarama.AclOperation).String), ", "))
	}
	switch {
	case res.ResourceType == sarama.AclResourceCluster && (a.Resource != clusterName || a.PatternType != "LITERAL"):
		bad("Resource", "the cluster is named %s, LITERAL", clusterName)
	case a.Resource == "":
		bad("Resource", "the name, or * for every one")
	case unclean(a.Resource):
		bad("Resource", "%q begins or ends with a space, or holds a control or invisible character", a.Resource)
	case a.Resource == "*" && res.ResourcePatternType == sarama.AclPatternPrefixed:
		bad("Resource", "PREFIXED * matches only names that begin with '*': * for every one is LITERAL")
	}
	return errors.Join(errs...)
}

// unclean reports a name that begins or ends with a space, or holds a
// control or invisible (format: bidi override, zero width) character:
// pasted by mistake, or made to pass for another name.
func unclean(s string) bool {
	return strings.TrimSpace(s) != s || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) })
}

func aclsOf(resources []*sarama.ResourceAcls) []ACL {
	var out []ACL
	for _, r := range resources {
		for _, a := range r.Acls {
			out = append(out, ACL{
				Principal: a.Principal, Host: a.Host,
				Operation: kafkaWord(a.Operation.String()), Permission: kafkaWord(a.PermissionType.String()),
				ResourceType: kafkaWord(r.ResourceType.String()), PatternType: kafkaWord(r.ResourcePatternType.String()),
				Resource: r.ResourceName,
			})
		}
	}
	slices.SortFunc(out, func(a, b ACL) int {
		return cmpStrings(a.ResourceType, b.ResourceType, a.Resource, b.Resource, a.PatternType, b.PatternType,
			a.Principal, b.Principal, a.Host, b.Host, a.Operation, b.Operation, a.Permission, b.Permission)
	})
	return out
}

// cmpStrings compares pairs in turn: a0 with b0, then a1 with b1…
func cmpStrings(pairs ...string) int {
	for i := 0; i+1 < len(pairs); i += 2 {
		if c := strings.Compare(pairs[i], pairs[i+1]); c != 0 {
			return c
		}
	}
	return 0
}

// kafkaWord writes sarama's name of an ACL enum (ClusterAction,
// TransactionalID) as Kafka's tools do (CLUSTER_ACTION, TRANSACTIONAL_ID).
func kafkaWord(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}
