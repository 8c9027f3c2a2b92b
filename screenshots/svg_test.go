package main

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// svgOf renders a capture on a 12×2 screen and checks that the result is
// well-formed XML.
func svgOf(t *testing.T, capture string) string {
	t.Helper()
	svg := string(renderSVG(parseScreen(capture, 12, 2), "kscope test"))
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, svg)
		}
	}
	return svg
}

func assertContains(t *testing.T, svg string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %s\n%s", want, svg)
		}
	}
}

func assertLacks(t *testing.T, svg string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(svg, u) {
			t.Errorf("SVG has %s\n%s", u, svg)
		}
	}
}

// Columns start at x = 16 + 8.43·column; row 0's text sits at y = 49 and its
// background at y = 36, row 1's at 65 and 52.

func TestSVGWindow(t *testing.T) {
	svg := svgOf(t, "")
	assertContains(t, svg,
		`<svg xmlns="http://www.w3.org/2000/svg" width="133.16" height="84" viewBox="0 0 133.16 84"`,
		`<title>kscope test</title>`,
		`font-family: 'JetBrains Mono','DejaVu Sans Mono',Menlo,monospace; font-size: 14px;`,
		`<rect width="133.16" height="84" rx="10" fill="#1e1e2e"/>`,
	)
	if !strings.HasSuffix(svg, "</svg>\n") {
		t.Errorf("SVG does not end with </svg>")
	}
}

func TestSVGRuns(t *testing.T) {
	svg := svgOf(t, "\x1b[1m\x1b[31mhello\x1b[0m wor ld\nnext\n")
	assertContains(t, svg,
		`<text x="16" y="49" textLength="42.15" lengthAdjust="spacing" fill="#cd0000" font-weight="bold" xml:space="preserve">hello</text>`,
		// Same-styled cells run on across spaces.
		`<text x="58.15" y="49" textLength="59.01" lengthAdjust="spacing" fill="#d0d0d0" xml:space="preserve"> wor ld</text>`,
		// Trailing blanks are left out.
		`<text x="16" y="65" textLength="33.72" lengthAdjust="spacing" fill="#d0d0d0" xml:space="preserve">next</text>`,
	)
	// Default backgrounds are the window's own.
	assertLacks(t, svg, `<rect x=`)
}

func TestSVGBlankRunsAreSkipped(t *testing.T) {
	svg := svgOf(t, "\n\x1b[4m  \x1b[0m\n")
	assertLacks(t, svg, `y="49"`)
	// Underlined blanks still draw a line.
	assertContains(t, svg, `<text x="16" y="65" textLength="16.86" lengthAdjust="spacing" fill="#d0d0d0" text-decoration="underline" xml:space="preserve">  </text>`)
}

func TestSVGColours(t *testing.T) {
	svg := svgOf(t, "\x1b[38;5;196mA\x1b[38;2;10;20;30m\x1b[48;5;100mBC\x1b[49;92mD\x1b[0m\n\x1b[44m  \x1b[0m")
	assertContains(t, svg,
		`<text x="16" y="49" textLength="8.43" lengthAdjust="spacing" fill="#ff0000" xml:space="preserve">A</text>`,
		`<rect x="24.43" y="36" width="16.86" height="16" fill="#878700"/>`,
		`<text x="24.43" y="49" textLength="16.86" lengthAdjust="spacing" fill="#0a141e" xml:space="preserve">BC</text>`,
		`<text x="41.29" y="49" textLength="8.43" lengthAdjust="spacing" fill="#00ff00" xml:space="preserve">D</text>`,
		`<rect x="16" y="52" width="16.86" height="16" fill="#0000ee"/>`,
	)
}

func TestSVGReverse(t *testing.T) {
	svg := svgOf(t, "\x1b[7mrev\x1b[0m \x1b[31;42;7mx\x1b[0m")
	assertContains(t, svg,
		`<rect x="16" y="36" width="25.29" height="16" fill="#d0d0d0"/>`,
		`<text x="16" y="49" textLength="25.29" lengthAdjust="spacing" fill="#1e1e2e" xml:space="preserve">rev</text>`,
		`<rect x="49.72" y="36" width="8.43" height="16" fill="#cd0000"/>`,
		`<text x="49.72" y="49" textLength="8.43" lengthAdjust="spacing" fill="#00cd00" xml:space="preserve">x</text>`,
	)
}

func TestSVGAttributes(t *testing.T) {
	svg := svgOf(t, "\x1b[2mf\x1b[22;3mi\x1b[23;4:3mu\x1b[0m")
	assertContains(t, svg,
		`<text x="16" y="49" textLength="8.43" lengthAdjust="spacing" fill="#d0d0d0" opacity="0.5" xml:space="preserve">f</text>`,
		`<text x="24.43" y="49" textLength="8.43" lengthAdjust="spacing" fill="#d0d0d0" font-style="italic" xml:space="preserve">i</text>`,
		`<text x="32.86" y="49" textLength="8.43" lengthAdjust="spacing" fill="#d0d0d0" text-decoration="underline" xml:space="preserve">u</text>`,
	)
}

func TestSVGWideGraphemes(t *testing.T) {
	svg := svgOf(t, "a日本b😀c\x1b[41m漢\x1b[0m")
	assertContains(t, svg,
		`<text x="16" y="49" textLength="8.43" lengthAdjust="spacing" fill="#d0d0d0" xml:space="preserve">a</text>`,
		`<text x="24.43" y="49" textLength="16.86" lengthAdjust="spacing" fill="#d0d0d0" xml:space="preserve">日</text>`,
		`<text x="41.29" y="49" textLength="16.86" lengthAdjust="spacing" fill="#d0d0d0" xml:space="preserve">本</text>`,
		`<text x="58.15" y="49" textLength="8.43" lengthAdjust="spacing" fill="#d0d0d0" xml:space="preserve">b</text>`,
		`<text x="66.58" y="49" textLength="16.86" lengthAdjust="spacing" fill="#d0d0d0" xml:space="preserve">😀</text>`,
		`<text x="83.44" y="49" textLength="8.43" lengthAdjust="spacing" fill="#d0d0d0" xml:space="preserve">c</text>`,
		// A wide grapheme's background covers both of its cells.
		`<rect x="91.87" y="36" width="16.86" height="16" fill="#cd0000"/>`,
		`<text x="91.87" y="49" textLength="16.86" lengthAdjust="spacing" fill="#d0d0d0" xml:space="preserve">漢</text>`,
	)
}

func TestSVGEscaping(t *testing.T) {
	svg := string(renderSVG(parseScreen(`<a href="x">&</a>`, 20, 1), `kscope -c "a<b"`))
	assertContains(t, svg,
		`xml:space="preserve">&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;</text>`,
		`<title>kscope -c &quot;a&lt;b&quot;</title>`,
		`aria-label="kscope -c &quot;a&lt;b&quot;"`,
	)
	svgOf(t, `<a href="x">&</a>`)
}

// Block elements are painted as rectangles of the cell's own size: as text,
// fonts draw them taller than a row and of another width, so sparklines
// overlapped the rows and columns around them.
func TestSVGBlocksArePaintedInTheirCells(t *testing.T) {
	svg := svgOf(t, "\x1b[36ma▁▄█b\x1b[m\x1b[2m▌░\x1b[m")
	assertContains(t, svg,
		`<text x="16" y="49" textLength="8.43" lengthAdjust="spacing" fill="#00cdcd" xml:space="preserve">a</text>`,
		`<rect x="24.43" y="50" width="8.43" height="2" fill="#00cdcd"/>`,
		`<rect x="32.86" y="44" width="8.43" height="8" fill="#00cdcd"/>`,
		`<rect x="41.29" y="36" width="8.43" height="16" fill="#00cdcd"/>`,
		`<text x="49.72" y="49" textLength="8.43" lengthAdjust="spacing" fill="#00cdcd" xml:space="preserve">b</text>`,
		`<rect x="58.15" y="36" width="4.22" height="16" fill="#d0d0d0" opacity="0.5"/>`,
		`<rect x="66.58" y="36" width="8.43" height="16" fill="#d0d0d0" opacity="0.13"/>`,
	)
	assertLacks(t, svg, "▁", "▄", "█", "▌", "░")
}
