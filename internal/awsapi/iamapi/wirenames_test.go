package iamapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/openpca/openpca/internal/awsapi"
)

// captureClient records the body the SDK serialized and answers nothing.
type captureClient struct{ body []byte }

var errCaptured = errors.New("captured")

func (c *captureClient) Do(r *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	c.body = b
	return nil, errCaptured
}

// TestQueryMemberNamesMatchSDK serializes every input of every IAM and STS
// operation we bind with the official SDK serializer (every member set) and
// decodes it with our decoder: each member we model must arrive with the
// value the SDK sent. This catches wire names that differ from Go names
// (PolicyArns.member.N.arn) and members we model under another name.
func TestQueryMemberNamesMatchSDK(t *testing.T) {
	capture := &captureClient{}
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAEXAMPLEEXAMPLE00", "secret", ""),
		HTTPClient:   capture,
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
		BaseEndpoint: aws.String("http://capture.invalid"),
	}
	for _, b := range []struct {
		svc    *awsapi.Service
		client any
	}{
		{IAM(nil), awsiam.NewFromConfig(cfg)},
		{STS(nil), sts.NewFromConfig(cfg)},
	} {
		names := make([]string, 0, len(b.svc.Operations))
		for name := range b.svc.Operations {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			op := b.svc.Operations[name]
			t.Run(b.svc.SigningName+"/"+name, func(t *testing.T) {
				m := reflect.ValueOf(b.client).MethodByName(name)
				if !m.IsValid() {
					t.Fatalf("the SDK has no operation %s", name)
				}
				sdkIn := reflect.New(m.Type().In(1).Elem())
				fill(sdkIn.Elem(), 0)
				capture.body = nil
				res := m.Call([]reflect.Value{reflect.ValueOf(context.Background()), sdkIn})
				if err, _ := res[1].Interface().(error); capture.body == nil {
					t.Fatalf("SDK did not send %s: %v", name, err)
				}
				values, err := url.ParseQuery(string(capture.body))
				if err != nil {
					t.Fatal(err)
				}
				ours, errs := op.DecodeQuery(values)
				if len(errs) > 0 {
					t.Fatalf("decode %s: %v", capture.body, errs)
				}
				compare(t, name, sdkIn.Elem(), reflect.ValueOf(ours).Elem())
			})
		}
	}
}

var fillTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// fill sets every member of an SDK input to a value derived from its name.
func fill(v reflect.Value, depth int) {
	if depth > 6 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		e := reflect.New(v.Type().Elem())
		fill(e.Elem(), depth+1)
		v.Set(e)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(fillTime))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if f := v.Type().Field(i); f.IsExported() {
				if v.Field(i).Kind() == reflect.String {
					v.Field(i).SetString("v-" + f.Name)
					continue
				}
				fill(v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte("bytes"))
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := 0; i < 2; i++ {
			fill(s.Index(i), depth+1)
			if s.Index(i).Kind() == reflect.String {
				s.Index(i).SetString("item" + strconv.Itoa(i+1))
			}
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		k.SetString("key")
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.String:
		v.SetString("value")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Float64:
		v.SetFloat(1.5)
	}
}

// compare checks that every member of ours carries what the SDK sent in
// the member of the same name.
func compare(t *testing.T, path string, sdk, ours reflect.Value) {
	t.Helper()
	for sdk.Kind() == reflect.Pointer {
		if sdk.IsNil() {
			return
		}
		sdk = sdk.Elem()
	}
	for ours.Kind() == reflect.Pointer {
		if ours.IsNil() {
			t.Errorf("%s: not decoded (SDK sent %v)", path, sdk.Interface())
			return
		}
		ours = ours.Elem()
	}
	switch {
	case ours.Type() == reflect.TypeFor[time.Time]():
		if st, ok := sdk.Interface().(time.Time); !ok || !st.Equal(ours.Interface().(time.Time)) {
			t.Errorf("%s: got %v, SDK sent %v", path, ours.Interface(), sdk.Interface())
		}
	case ours.Kind() == reflect.Struct:
		for i := 0; i < ours.NumField(); i++ {
			f := ours.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			sf := sdk.FieldByName(f.Name)
			if !sf.IsValid() {
				t.Errorf("%s.%s: the SDK input has no such member", path, f.Name)
				continue
			}
			compare(t, path+"."+f.Name, sf, ours.Field(i))
		}
	case ours.Kind() == reflect.Slice && ours.Type().Elem().Kind() != reflect.Uint8:
		if ours.Len() != sdk.Len() {
			t.Errorf("%s: %d members decoded, SDK sent %d", path, ours.Len(), sdk.Len())
			return
		}
		for i := 0; i < ours.Len(); i++ {
			compare(t, path+"["+strconv.Itoa(i)+"]", sdk.Index(i), ours.Index(i))
		}
	case ours.Kind() == reflect.Map:
		if ours.Len() != sdk.Len() {
			t.Errorf("%s: %d entries decoded, SDK sent %d", path, ours.Len(), sdk.Len())
		}
		for _, k := range sdk.MapKeys() {
			if ov := ours.MapIndex(k.Convert(ours.Type().Key())); ov.IsValid() {
				compare(t, path+"["+k.String()+"]", sdk.MapIndex(k), ov)
			} else {
				t.Errorf("%s: entry %s not decoded", path, k)
			}
		}
	default:
		if got, want := scalarText(ours), scalarText(sdk); got != want {
			t.Errorf("%s: got %q, SDK sent %q", path, got, want)
		}
	}
}

func scalarText(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Slice:
		return string(bytes.Clone(v.Bytes()))
	}
	return strings.TrimSpace(v.String())
}
