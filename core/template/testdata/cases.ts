/**
 * The `--format` templates compared with skopeo 1.9.3: what users write
 * (fields, labels, ranges, conditionals, printf, JSON) and what they get
 * wrong (podman-only functions, missing fields, syntax errors).
 *
 * @module
 */

/** One `skopeo inspect --format FORMAT oci:DIR:IMAGE` run. */
export interface FormatCase {
  /** Fixture image name. */
  readonly image: string;
  /** The `--format` value. */
  readonly format: string;
  /** Run `inspect --config` (the OCI config, a `*v1.Image`). */
  readonly config?: boolean;
}

const FULL: readonly string[] = [
  // fields
  "Name: {{.Name}} Digest: {{.Digest}}",
  "{{.Digest}}",
  "{{.Os}}/{{.Architecture}}",
  "{{.Created}}",
  "{{.Labels}}",
  "{{.Env}}",
  "{{.Layers}}",
  "{{.RepoTags}}",
  "{{.DockerVersion}}|{{.Tag}}|{{.Name}}",
  "{{.}}",
  "{{$}}",
  "{{.LayersData}}",
  "{{.Nope}}",
  "{{.Os.Foo}}",
  "{{.Labels.maintainer}}",
  "{{.Labels.missing}}",
  "{{.Labels.missing.deeper}}",
  // methods of Go types
  '{{.Created.Format "2006-01-02T15:04:05Z07:00"}}',
  "{{.Created.Year}}-{{.Created.Month}}-{{.Created.Day}} {{.Created.Weekday}} {{.Created.Unix}}",
  "{{.Digest.Encoded}} {{.Digest.Algorithm}}",
  // JSON
  "json",
  "{{json .}}",
  " {{ json . }} ",
  "{{json .Labels}}",
  // podman-only functions
  '{{join .Env ","}}',
  "{{upper .Os}}",
  "{{lower .Os}}",
  // range
  "{{range .Layers}}{{.}}\\n{{end}}",
  "{{range $i, $l := .Layers}}{{$i}}: {{$l}}\n{{end}}",
  "{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}",
  "{{range .RepoTags}}{{.}}{{else}}no tags{{end}}",
  "{{range .Env}}{{if eq . \"FOO=bar baz\"}}found{{break}}{{end}}{{end}}",
  "{{range .}}{{.}}{{end}}",
  // index, len, slice
  '{{index .Labels "maintainer"}}',
  '{{index .Labels "org.opencontainers.image.version"}}',
  '{{index .Labels "missing"}}|',
  "{{index .Layers 1}}",
  "{{index .Layers 5}}",
  "{{len .Layers}} {{len .Labels}} {{len .Labels.unicode}}",
  "{{slice .Digest 7 19}}",
  // conditionals
  "{{if .Labels}}has labels{{else}}no labels{{end}}",
  '{{if eq .Architecture "amd64"}}x86{{else if eq .Architecture "arm64"}}arm{{else}}other{{end}}',
  "{{with .Labels.maintainer}}by {{.}}{{end}}",
  '{{or .Name "unnamed"}} {{and .Os .Architecture}} {{not .RepoTags}}',
  "{{if lt (len .Layers) 3}}small{{end}}",
  '{{eq .Os "linux" "darwin"}} {{ne .Os "linux"}}',
  "{{eq .Os 1}}",
  // printf and friends
  '{{printf "%s/%s" .Os .Architecture}}',
  '{{printf "%-10s|%5d|%q|%x|%v|%.3s|%08.3f" .Os 42 .Os .Os .Labels .Os 3.14159}}',
  '{{printf "%d" .Os}} {{printf "%s"}} {{printf "x" 1}}',
  '{{printf "%v %T %T %T" .Created .Created .Labels .Digest}}',
  '{{.Os | printf "%q"}}',
  "{{.Labels.maintainer | len}}",
  '{{print .Os 1 2 "x"}} {{println .Architecture}}',
  '{{html "<a href=\'x\'>"}} {{js "it\'s <b>"}} {{urlquery "a b&c"}}',
  // variables, comments, whitespace control
  "{{$d := .Digest}}{{$d}}",
  "{{$x := 1}}{{$x = 2}}{{$x}}",
  "{{/* a comment */}}{{.Os}}",
  "  {{- .Os -}}  |",
  // escapes and tables (skopeo's tabwriter)
  "Layers:\\t{{len .Layers}}\\nOS:\\t{{.Os}}",
  "{{.Os}}\\t{{.Architecture}}",
  "table {{.Os}} {{.Architecture}}",
  "table {{.Os}}",
  // errors
  "{{.Os}",
  "{{if .Os}}",
  "{{.Os}}{{end}}",
  '{{"unterminated}}',
  '{{template "x"}}',
  '{{define "x"}}X{{end}}',
  "{{nil}}",
  '{{.Os "arg"}}',
  "{{$undefined}}",
  "{{.Os | 3}}",
  "first\n{{.Nope}}",
  "é{{.Nope}}",
];

// Go fmt, numbers and builtins, checked against the real Go (image "full").
const FORMATTING: readonly string[] = [
  "{{1e6}} {{1.0}} {{0x10}} {{'a'}} {{1e3}} {{-0.0}} {{1_000}} {{0b101}} {{0o17}} {{017}} {{0x1p4}}",
  "{{1.5e-7}} {{123456789.0}} {{100000.0}} {{0.000012345}} {{3.0e20}} {{1e21}} {{1i}} {{2+3i}}",
  '{{printf "%e|%E|%.2e|%g|%G|%.3g|%10.4f|%-10.2f|%+.1f|% .1f" 1234.5678 1234.5678 0.000123 1e-7 1e21 1234.5678 3.14159 2.5 2.5 2.5}}',
  '{{printf "%.0f %.0f %.0f %.1f %.2f %.1f %.3g %.10g" 0.5 1.5 2.5 0.25 1.005 0.05 2.675 0.1}}',
  '{{printf "%x %X %#x %o %#o %O %b %c %q %U %#U" 255 255 255 8 8 8 5 65 65 9731 9731}}',
  '{{printf "%5d|%-5d|%05d|%+d|% d|%.3d|%8.3d|%x|%-08d|%+05d" 42 42 -42 42 42 7 7 -255 3 3}}',
  '{{printf "%t %v %5t|%-6t|%d" true false true false true}}',
  '{{printf "%s|%v|%d" .Layers .Labels .Env}}',
  '{{printf "%q|%x|%X|% x" .Env .Env .Os .Os}}',
  '{{printf "%10s|%-10s|%.2s|%5.1s|%q|%+q|%#q|%#q" "abc" "abc" "abc" "abc" "é\\x0a\\x7f" "é😀" "a`b" "ab"}}',
  '{{printf "%[2]s %[1]s" "a" "b"}} {{printf "%[3]d" 1}} {{printf "%[1]d %d" 1 2}}',
  '{{printf "%*d|%-*d|%.*f|%*d" 5 1 5 1 2 3.14159 "x" 1}}',
  '{{printf "%!" 1}} {{printf "%"}} {{printf "%d %d" 1}} {{printf "%z" 1}}',
  '{{printf "%#v|%#v|%#v|%#v|%#v" .RepoTags .Labels .Os 42 3.0}}',
  '{{printf "%+v" .}}',
  '{{printf "%v|%d|%s|%v" nil 1.5 true .Labels.nope}}',
  '{{printf "%6.2v|%v|%v|%v|%.2v" 3.14159 -0.0 1e100 1e-100 "abc"}}',
  '{{printf "%T %T %T %T %T %T" 1 1.5 "s" true nil 1i}}',
  '{{printf "%08.3f|%-8.3f|%+08d|% #x|%#X" -3.14159 3.14159 42 "hé" "hé"}}',
  "{{printf \"%c|%c|%q|%v|%q|%+q\" 128512 -1 -1 '\\x0a' '\\'' 233}}",
  '{{len "héllo"}} {{index "héllo" 1}} {{slice "héllo" 0 3}} {{printf "%s" (slice "héllo" 1 2)}}',
  '{{print 1 2 "a" 3 "b" "c" 4.5 true nil}}|{{println 1 "a" nil}}|{{print}}',
  '{{eq 1 1}} {{eq 1.5 1.5}} {{eq "a" "b" "a"}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1.5 2.5}} {{ne 1 2}}',
  "{{lt 1 2.0}}",
  "{{ge true false}}",
  '{{and 1 0 2}} {{or 0 "" nil}} {{and 1 "x"}} {{or 0 "y"}} {{not 0}} {{not ""}} {{not .Labels}}',
  "{{and}}",
  "{{index .Layers -1}}",
  "{{index 1 0}}",
  "{{index .Labels 1}}",
  "{{slice .Layers 1}} {{slice .Layers 0 1}} {{slice .Os 1 3}} {{slice .Layers}}",
  "{{slice .Layers 2 1}}",
  "{{len 3}}",
  "{{call .Os}}",
  "{{html .Labels}} {{urlquery \"é/ä?\"}} {{js \"\\u2028<\\x01>\"}} {{html 1 \"a\" 2}}",
  '{{(index .Layers 0) | printf "%.19s"}} {{(.Labels).maintainer}}',
  "{{$x := .Labels}}{{$x.maintainer}} {{$.Os}}",
  "{{with $x := .Os}}{{$x}}-{{.}}{{end}}",
  "{{range $i, $e := .Env}}{{if $i}},{{end}}{{$e}}{{end}}",
  "{{range .Layers}}{{continue}}x{{end}}done",
  '{{if and .Labels (index .Labels "empty")}}yes{{else}}no{{end}}',
  "{{printf}}",
  "{{printf 1}}",
  "{{.Labels.maintainer.x}}",
  '{{"\\x41\\u00e9\\101\\t|" | printf "%s"}}{{`raw\\n`}}',
  '{{"a\\qb"}}',
  "{{1x}}",
  "{{08}}",
  "{{99999999999999999999}}",
  "{{18446744073709551615}}",
  "{{.Os | len | printf \"%03d\"}}",
  "{{range $i := .Layers}}{{$i}} {{end}}",
  "{{range $i, $e, $x := .Layers}}{{end}}",
  "{{$x, $y := 1}}",
  "{{else}}",
  "{{break}}",
  "{{end}}",
  '{{block "b" .}}B{{.Os}}{{end}}',
  '{{template "b"}}{{block "b" .}}B{{.Os}}{{end}}',
  "{{/* unclosed",
  "{{/* c */ .Os}}",
  "{{ .Os )}}",
  "{{(.Os}}",
  "{{.Os:}}",
  "{{$x := }}",
  "{{| .Os}}",
  "{{.Os | }}",
  "{{if}}",
  "{{range .Layers}}{{else}}{{else}}{{end}}",
  "{{with .Os}}{{else if .Architecture}}{{end}}",
  '{{"a" "b"}}',
  "{{.Os.}}",
  '{{"x" | .Os}}',
  "{{.Os | printf \"%s\" | printf \"%q\"}}",
  "{{$}}{{$ := 1}}",
  "{{.Created.Nope}}",
  "{{.Created.Format}}",
  '{{.Created.Format 1}}',
  "{{.Digest.Nope}}",
  "{{ .Os -}} \\n  {{- .Architecture }}",
  "{{- /* c */ -}} x {{- /* d */ -}}",
  "{{.Os}}\\r",
  "a\\tbb\\tccc\\nxxxxxxxxxx\\ty\\tz\\n\\nend",
  "table {{.Os}}\\t{{.Architecture}}\\nend",
];

const SPARSE: readonly string[] = [
  "{{.Created}}",
  "{{.Labels}} {{.Env}} {{len .Labels}}",
  "{{.DockerVersion}}",
  "{{.}}",
  "json",
  "{{range .Labels}}x{{else}}none{{end}}",
  "{{if .Labels}}y{{else}}n{{end}}",
  '{{.Created.Format "Mon Jan _2 15:04:05 MST 2006"}}',
];

const BARE: readonly string[] = [
  "{{.Created}}",
  "{{.Created.Year}}",
  '{{printf "%s|%v" .Created .Created}}',
  "{{.}}",
  "json",
  "{{.Labels}} {{.Env}} {{.Layers}} {{len .Env}}",
];

// `inspect --config --format`.
const CONFIG: ReadonlyArray<readonly [string, string]> = [
  ["full", "{{.}}"],
  ["full", '{{printf "%+v" .}}'],
  ["full", '{{printf "%T %T %T %T" . .Config .RootFS.DiffIDs .History}}'],
  ["full", "{{.Config}}"],
  ["full", "{{.Config.ExposedPorts}} {{len .Config.ExposedPorts}}"],
  ["full", "{{range $p, $_ := .Config.ExposedPorts}}{{$p}} {{end}}"],
  ["full", "{{.History}}"],
  ["full", "{{range .History}}{{.CreatedBy}}|{{.EmptyLayer}}|{{.Created}};{{end}}"],
  ["full", "{{.RootFS}} {{.RootFS.DiffIDs}}"],
  ["full", "{{.Created}} {{.Author}}"],
  ["full", "json"],
  ["full", "{{.Architecture}}/{{.OS}}/{{.Variant}}"],
  ["full", "{{.Os}}"],
  ["full", "{{.Config.Nope}}"],
  ["full", '{{index .Config.Labels "maintainer"}} {{.Config.Labels.maintainer}}'],
  ["full", "{{(index .History 0).Created.Year}} {{len .History}}"],
  [
    "full",
    "{{.Config.Entrypoint}} {{.Config.Cmd}} {{.Config.WorkingDir}} {{.Config.User}} {{.Config.StopSignal}} {{.Config.ArgsEscaped}}",
  ],
  ["full", "{{.Nope"],
  ["sparse", "{{.}}"],
  ["sparse", "json"],
  ["sparse", "{{.Variant}} {{.Config}} {{.History}} {{.RootFS.DiffIDs}}"],
  ["bare", "{{.}}"],
  ["bare", "json"],
  ["bare", "{{.Created}} {{.Config.Labels}} {{.Config.Env}}"],
];

/** All cases, in golden-file order. */
export const FORMAT_CASES: readonly FormatCase[] = [
  ...FULL.map((format) => ({ image: "full", format })),
  ...FORMATTING.map((format) => ({ image: "full", format })),
  ...SPARSE.map((format) => ({ image: "sparse", format })),
  ...BARE.map((format) => ({ image: "bare", format })),
  ...CONFIG.map(([image, format]) => ({ image, format, config: true })),
];
