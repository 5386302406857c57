package awsapi

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// isoTime is the timestamp layout of awsQuery XML.
const isoTime = "2006-01-02T15:04:05Z"

// encodeQueryResponse renders an awsQuery success body:
// <OpResponse xmlns=NS><OpResult>…</OpResult><ResponseMetadata>…</OpResponse>.
// An output type without members gets no Result element (IAM's
// DeleteUser-style responses).
func encodeQueryResponse(op, ns, requestID string, out reflect.Value) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<" + op + "Response")
	if ns != "" {
		b.WriteString(` xmlns="`)
		xmlText(&b, ns)
		b.WriteString(`"`)
	}
	b.WriteString(">")
	if len(infoFor(out.Type()).fields) > 0 {
		b.WriteString("<" + op + "Result>")
		xmlStruct(&b, out)
		b.WriteString("</" + op + "Result>")
	}
	b.WriteString("<ResponseMetadata><RequestId>")
	xmlText(&b, requestID)
	b.WriteString("</RequestId></ResponseMetadata></" + op + "Response>")
	return b.Bytes()
}

func xmlText(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s))
}

func xmlStruct(b *bytes.Buffer, v reflect.Value) {
	for _, f := range infoFor(v.Type()).fields {
		xmlMember(b, f.queryName, v.FieldByIndex(f.index), f.urlencode)
	}
}

// xmlMember writes <name>value</name>, or nothing for an omitted member.
func xmlMember(b *bytes.Buffer, name string, v reflect.Value, urlenc bool) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	t := v.Type()
	open := func() { b.WriteString("<" + name + ">") }
	closeTag := func() { b.WriteString("</" + name + ">") }
	switch {
	case t == timeType:
		tm := v.Interface().(time.Time)
		if tm.IsZero() {
			return
		}
		open()
		b.WriteString(tm.UTC().Format(isoTime))
		closeTag()
		return
	case t == bytesType:
		if v.IsNil() {
			return
		}
		open()
		b.WriteString(base64.StdEncoding.EncodeToString(v.Bytes()))
		closeTag()
		return
	}
	switch t.Kind() {
	case reflect.String:
		s := v.String()
		if s == "" {
			return
		}
		if urlenc {
			s = rfc3986Escape(s)
		}
		open()
		xmlText(b, s)
		closeTag()
	case reflect.Bool:
		open()
		b.WriteString(strconv.FormatBool(v.Bool()))
		closeTag()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		open()
		b.WriteString(strconv.FormatInt(v.Int(), 10))
		closeTag()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		open()
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
		closeTag()
	case reflect.Float32, reflect.Float64:
		open()
		b.WriteString(strconv.FormatFloat(v.Float(), 'f', -1, t.Bits()))
		closeTag()
	case reflect.Struct:
		open()
		xmlStruct(b, v)
		closeTag()
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && v.IsNil() {
			return
		}
		open()
		for i := 0; i < v.Len(); i++ {
			xmlListMember(b, v.Index(i), urlenc)
		}
		closeTag()
	case reflect.Map:
		if v.IsNil() {
			return
		}
		open()
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			b.WriteString("<entry><key>")
			xmlText(b, k.String())
			b.WriteString("</key>")
			xmlListValue(b, "value", v.MapIndex(k), urlenc)
			b.WriteString("</entry>")
		}
		closeTag()
	}
}

// xmlListMember writes one list element; unlike a struct member, an empty
// string element is kept (<member></member>) so that list positions survive.
func xmlListMember(b *bytes.Buffer, v reflect.Value, urlenc bool) {
	xmlListValue(b, "member", v, urlenc)
}

func xmlListValue(b *bytes.Buffer, name string, v reflect.Value, urlenc bool) {
	if e := derefValue(v); e.IsValid() && e.Kind() == reflect.String && e.Len() == 0 {
		b.WriteString("<" + name + "></" + name + ">")
		return
	}
	xmlMember(b, name, v, urlenc)
}

// rfc3986Escape percent-encodes everything but the unreserved set, the way
// IAM encodes policy documents (space → %20, never '+').
func rfc3986Escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) * 3 / 2)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
