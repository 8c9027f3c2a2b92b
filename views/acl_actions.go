package views

import (
	"context"
	"errors"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/widget"
)

// aclChecked answers a new ACL's preview: whether the cluster already
// holds the binding.
type aclChecked struct {
	acl    kafkaclient.ACL
	exists bool
	err    error
}

// aclCheckTimeout bounds the look-up a preview makes.
const aclCheckTimeout = 15 * time.Second

// newACLDialog asks for a binding, checks it as kafka-acls would, then
// previews it in Kafka's words and adds it once confirmed. A DENY wins
// over every ALLOW and can stop running clients, so it asks for "deny"
// to be typed; an ALLOW asks for enter.
func newACLDialog(c *Common) tea.Cmd {
	admin, reader := c.Client.ACLAdmin, c.Client.ACLs
	if admin == nil {
		return notify("this session cannot change ACLs", true)
	}
	choice := func(name, label, help string) widget.Field {
		return widget.Field{Name: name, Label: label, Kind: widget.FieldChoice, Choices: kafkaclient.ACLChoices(name), Help: help}
	}
	d := &dialog{c: c, title: "new ACL", form: widget.NewForm(c.Styles, "Add an ACL", []widget.Field{
		// Named as kafkaclient.ACL names its fields, so ValidateACL's errors land beside them.
		{Name: "Principal", Label: "Principal", Required: true, Help: "Type:name, e.g. User:alice; User:* is every user"},
		{Name: "Host", Label: "Host", Value: "*", Required: true, Help: "a client's IP address; * is every host"},
		choice("Operation", "Operation", ""),
		choice("Permission", "Permission", "a DENY wins over every ALLOW"),
		choice("ResourceType", "Resource type", ""),
		choice("PatternType", "Pattern type", "PREFIXED: every name that begins with the resource name"),
		{Name: "Resource", Label: "Resource name", Help: "* is every one (LITERAL); the cluster is kafka-cluster"},
	}, "preview")}
	d.submit = func(d *dialog) tea.Cmd {
		a := aclOf(d.form)
		if err := kafkaclient.ValidateACL(a); err != nil {
			d.fail(err)
			return nil
		}
		return d.scope.Do(func(ctx context.Context) tea.Msg {
			if reader == nil {
				return aclChecked{acl: a, err: errors.New("this session cannot read ACLs")}
			}
			ctx, cancel := context.WithTimeout(ctx, aclCheckTimeout)
			defer cancel()
			acls, err := reader.ACLs(ctx)
			for _, have := range acls {
				if have == a {
					return aclChecked{acl: a, exists: true}
				}
			}
			return aclChecked{acl: a, err: err}
		})
	}
	d.answer = func(d *dialog, msg tea.Msg) (tea.Cmd, bool) {
		checked, ok := msg.(aclChecked)
		if !ok {
			return nil, false
		}
		d.busy = false
		a := checked.acl
		if checked.exists {
			// Adding it would change nothing, yet be audited as a change.
			d.ask = widget.NewRefusal(c.Styles, "New ACL: preview", aclAddText(a), "The cluster already has this binding.")
			d.ask.SetSize(d.width, d.height)
			return nil, true
		}
		explanation := aclAddText(a) + "\n\n" + aclMeaning(a)
		if checked.err != nil {
			explanation += "\n\nWhether the cluster already has it could not be checked: " + checked.err.Error()
		}
		word := ""
		if a.Permission == "DENY" {
			word = "deny"
		}
		d.submit = func(d *dialog) tea.Cmd {
			return d.act(kafkaclient.AuditEntry{Action: "create ACL", Target: a.String()}, func(ctx context.Context) (string, error) {
				return "added ACL: " + plainName(aclSummary(a)), admin.CreateACL(ctx, a)
			})
		}
		return d.confirm("New ACL: preview", explanation, word), true
	}
	return push(d)
}

// aclOf is the binding the form describes. The cluster has one name, so
// a CLUSTER binding left without one is given it.
func aclOf(f *widget.Form) kafkaclient.ACL {
	a := kafkaclient.ACL{
		Principal: f.Value("Principal"), Host: f.Value("Host"), Operation: f.Value("Operation"), Permission: f.Value("Permission"),
		ResourceType: f.Value("ResourceType"), PatternType: f.Value("PatternType"), Resource: f.Value("Resource"),
	}
	if a.ResourceType == "CLUSTER" && a.Resource == "" {
		a.Resource = "kafka-cluster"
	}
	return a
}

// deleteACLDialog deletes the binding a, exactly as listed, once
// "delete" is typed.
func deleteACLDialog(c *Common, a kafkaclient.ACL) tea.Cmd {
	admin := c.Client.ACLAdmin
	if admin == nil {
		return notify("this session cannot change ACLs", true)
	}
	effect := "Clients that rely on it lose this access at once, unless another binding allows it."
	if a.Permission == "DENY" {
		effect = "What it denies is allowed again at once wherever another binding allows it."
	}
	explanation := "Delete this binding, and only this one? " + effect + "\n\n" +
		"Removing ACLs for resource `" + a.Pattern() + "`:\n    " + a.Entry()
	entry := kafkaclient.AuditEntry{Action: "delete ACL", Target: a.String()}
	return confirmChange(c, "delete ACL", "Delete ACL", explanation, "delete", entry, func(ctx context.Context) (string, error) {
		n, err := admin.DeleteACL(ctx, a)
		switch {
		case err != nil:
			return "", err
		case n == 0:
			return "", errors.New("no binding matched: it was already gone (r reloads the list)")
		}
		return "deleted " + plural(int64(n), "ACL", "ACLs") + ": " + plainName(aclSummary(a)), nil
	})
}

// aclAddText is the binding as kafka-acls --add prints it.
func aclAddText(a kafkaclient.ACL) string {
	return "Adding ACLs for resource `" + a.Pattern() + "`:\n    " + a.Entry()
}

// aclSummary is a binding in one short line, for the status line.
func aclSummary(a kafkaclient.ACL) string {
	return a.Principal + " " + a.Permission + " " + a.Operation + " on " + a.ResourceType + " " + a.Resource + " (" + a.PatternType + ") from " + a.Host
}

// aclMeaning says in a sentence what the binding will do.
func aclMeaning(a kafkaclient.ACL) string {
	who := a.Principal
	if who == "User:*" {
		who = "Every user"
	}
	verb := "allowed"
	if a.Permission == "DENY" {
		verb = "denied"
	}
	kind := strings.ToLower(strings.ReplaceAll(a.ResourceType, "_", " "))
	what := kind + " " + a.Resource
	switch {
	case a.ResourceType == "CLUSTER":
		what = "the cluster"
	case a.PatternType == "PREFIXED":
		what = "every " + kind + " whose name begins with " + a.Resource
	case a.Resource == "*":
		what = "every " + kind
	}
	from := "from any host"
	if a.Host != "*" {
		from = "from " + a.Host + " only"
	}
	s := who + " will be " + verb + " " + a.Operation + " on " + what + ", " + from + "."
	if a.Permission == "DENY" {
		s += " A DENY wins over every ALLOW: clients doing this now are refused at once."
	}
	return s
}
