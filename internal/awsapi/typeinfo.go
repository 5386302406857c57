package awsapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// fieldInfo is what the codecs and the validator need to know about one
// struct member; it is computed once per type from the tags documented on Op.
type fieldInfo struct {
	index     []int // for FieldByIndex (embedded structs are flattened)
	goName    string
	queryName string // Query / XML member name: wire tag, else Go name
	jsonName  string // JSON member name: json tag, else wire tag, else Go name
	// Names as validation messages spell them (first letter lowered).
	queryPath, jsonPath string
	typ                 reflect.Type

	required  bool
	min, max  *int64
	pattern   *regexp.Regexp
	patternS  string       // the tag text, quoted in messages
	matched   *patternMemo // values that matched pattern
	enum      []string
	querySrc  string // restJson1 location:"querystring=name"
	urlencode bool
	sensitive bool // message omits the value (sensitive:"true")
	omitEmpty bool // json ",omitempty"
	omitZero  bool // json ",omitzero"
}

type structInfo struct {
	fields []*fieldInfo
	byJSON map[string]*fieldInfo
}

var typeCache sync.Map // reflect.Type -> *structInfo

var timeType = reflect.TypeFor[time.Time]()
var bytesType = reflect.TypeFor[[]byte]()
var rawJSONType = reflect.TypeFor[json.RawMessage]()

// infoFor returns the cached description of struct type t. It panics on
// malformed tags: bindings are code, and a bad tag is a programming error
// that New surfaces at start-up by walking every input type.
func infoFor(t reflect.Type) *structInfo {
	if v, ok := typeCache.Load(t); ok {
		return v.(*structInfo)
	}
	si := &structInfo{byJSON: map[string]*fieldInfo{}}
	collectFields(t, nil, si)
	v, _ := typeCache.LoadOrStore(t, si)
	return v.(*structInfo)
}

func collectFields(t reflect.Type, parent []int, si *structInfo) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		idx := append(append([]int(nil), parent...), i)
		jsonTag := sf.Tag.Get("json")
		if jsonTag == "-" {
			continue
		}
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct && sf.Tag.Get("wire") == "" && jsonTag == "" {
			collectFields(sf.Type, idx, si)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		f := &fieldInfo{index: idx, goName: sf.Name, typ: sf.Type}
		f.queryName = sf.Name
		if w := sf.Tag.Get("wire"); w != "" {
			f.queryName = w
		}
		f.jsonName = f.queryName
		if jsonTag != "" {
			name, opts, _ := strings.Cut(jsonTag, ",")
			if name != "" {
				f.jsonName = name
			}
			for _, o := range strings.Split(opts, ",") {
				switch o {
				case "omitempty":
					f.omitEmpty = true
				case "omitzero":
					f.omitZero = true
				}
			}
		}
		f.queryPath, f.jsonPath = lowerFirst(f.queryName), lowerFirst(f.jsonName)
		parseConstraints(t, sf, f)
		si.fields = append(si.fields, f)
		si.byJSON[f.jsonName] = f
	}
}

func parseConstraints(t reflect.Type, sf reflect.StructField, f *fieldInfo) {
	bad := func(tag string, err error) {
		panic(fmt.Sprintf("awsapi: %v.%s: bad %s tag: %v", t, sf.Name, tag, err))
	}
	f.required = sf.Tag.Get("required") == "true"
	f.urlencode = sf.Tag.Get("urlencode") == "true"
	f.sensitive = sf.Tag.Get("sensitive") == "true"
	for _, b := range []struct {
		tag string
		dst **int64
	}{{"min", &f.min}, {"max", &f.max}} {
		if s := sf.Tag.Get(b.tag); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				bad(b.tag, err)
			}
			*b.dst = &n
		}
	}
	if p := sf.Tag.Get("pattern"); p != "" {
		// Model patterns are full-match (Java matches()); wrapping keeps
		// anchored patterns working and makes unanchored ones strict.
		re, err := regexp.Compile(`^(?:` + javaEscapes(p) + `)$`)
		if err != nil {
			bad("pattern", err)
		}
		f.pattern, f.patternS, f.matched = re, p, &patternMemo{}
	}
	if e := sf.Tag.Get("enum"); e != "" {
		f.enum = strings.Split(e, ",")
	}
	if loc := sf.Tag.Get("location"); loc != "" {
		name, ok := strings.CutPrefix(loc, "querystring=")
		if !ok || name == "" {
			bad("location", fmt.Errorf("want querystring=name, got %q", loc))
		}
		f.querySrc = name
	}
}

var javaUnicodeEscape = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)

// javaEscapes rewrites \uXXXX (used by AWS model patterns) into Go's \x{XXXX}.
func javaEscapes(p string) string {
	return javaUnicodeEscape.ReplaceAllString(p, `\x{$1}`)
}

// lowerFirst gives AWS's member path spelling: the first rune lower-cased
// ("UserName" → "userName", "AWSServiceName" → "aWSServiceName").
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// checkInputType walks an operation's input type so that bad tags and
// unsupported member types fail at New, not on the first request.
func checkInputType(t reflect.Type, seen map[reflect.Type]bool) {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice:
		if t == bytesType || t == rawJSONType {
			return
		}
		checkInputType(t.Elem(), seen)
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			panic(fmt.Sprintf("awsapi: map key of %v must be a string", t))
		}
		checkInputType(t.Elem(), seen)
	case reflect.Struct:
		if t == timeType || seen[t] {
			return
		}
		seen[t] = true
		for _, f := range infoFor(t).fields {
			checkInputType(f.typ, seen)
		}
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32,
		reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.Interface:
	default:
		panic(fmt.Sprintf("awsapi: unsupported member type %v", t))
	}
}
