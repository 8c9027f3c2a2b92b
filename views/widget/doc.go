// Package widget holds the pieces screens are drawn with that know nothing
// of Kafka: the table and the list built on it, the form and its line
// editor, the confirmation and dialog box, the sparkline and the ring
// buffer. Widgets take styles and key bindings explicitly, never a screen's
// shared state.
package widget
