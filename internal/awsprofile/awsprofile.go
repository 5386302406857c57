// Package awsprofile writes the AWS shared config and credentials files that
// let the unmodified aws CLI, boto3 and the SDKs talk to this server.
package awsprofile

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// Dir is the folder inside the data directory that holds the two files.
const Dir = "aws"

// Profile is one named profile.
type Profile struct {
	Name            string
	AccessKeyID     string
	SecretAccessKey string
	Region          string
	EndpointURL     string
	// CABundle is the PEM file the CLI and SDKs verify the server with
	// (ca_bundle); empty leaves it out.
	CABundle string
}

// Paths returns the config and credentials file paths for dataDir.
func Paths(dataDir string) (config, credentials string) {
	d := filepath.Join(dataDir, Dir)
	return filepath.Join(d, "config"), filepath.Join(d, "credentials")
}

// Write adds or replaces p in both files (0600, created as needed).
func Write(dataDir string, p Profile) error {
	cfgPath, credPath := Paths(dataDir)
	if err := os.MkdirAll(filepath.Dir(cfgPath), 0o700); err != nil {
		return err
	}
	unlock, err := lock(dataDir)
	if err != nil {
		return err
	}
	defer unlock()
	cfgSection := "profile " + p.Name
	if p.Name == "default" {
		cfgSection = "default"
	}
	if err := upsertSection(credPath, p.Name, [][2]string{
		{"aws_access_key_id", p.AccessKeyID},
		{"aws_secret_access_key", p.SecretAccessKey},
	}); err != nil {
		return err
	}
	kv := [][2]string{
		{"region", p.Region},
		{"endpoint_url", p.EndpointURL},
		{"output", "json"},
	}
	if p.CABundle != "" {
		kv = append(kv, [2]string{"ca_bundle", p.CABundle})
	}
	return upsertSection(cfgPath, cfgSection, kv)
}

// SetCABundle sets ca_bundle to path in every profile of the config file,
// or removes it from every profile when path is "".
func SetCABundle(dataDir, path string) error {
	cfgPath, _ := Paths(dataDir)
	if err := os.MkdirAll(filepath.Dir(cfgPath), 0o700); err != nil {
		return err
	}
	unlock, err := lock(dataDir)
	if err != nil {
		return err
	}
	defer unlock()
	sections, err := readINI(cfgPath)
	if err != nil {
		return err
	}
	for i := range sections {
		switch {
		case sections[i].name == "":
		case path == "":
			sections[i].del("ca_bundle")
		default:
			sections[i].set("ca_bundle", path)
		}
	}
	return writeINI(cfgPath, sections)
}

// SetEndpoint rewrites endpoint_url in every profile of the config file, so
// a restart on another address keeps the profiles working.
func SetEndpoint(dataDir, endpoint string) error {
	cfgPath, _ := Paths(dataDir)
	if err := os.MkdirAll(filepath.Dir(cfgPath), 0o700); err != nil {
		return err
	}
	unlock, err := lock(dataDir)
	if err != nil {
		return err
	}
	defer unlock()
	sections, err := readINI(cfgPath)
	if err != nil {
		return err
	}
	for i := range sections {
		if sections[i].name != "" {
			sections[i].set("endpoint_url", endpoint)
		}
	}
	return writeINI(cfgPath, sections)
}

// Endpoint returns the endpoint_url of profile name in the config file, "" if none.
func Endpoint(dataDir, name string) (string, error) {
	return Get(dataDir, name, "endpoint_url")
}

// Get returns key's value in profile name of the config file, "" if none.
func Get(dataDir, name, key string) (string, error) {
	cfgPath, _ := Paths(dataDir)
	sections, err := readINI(cfgPath)
	if err != nil {
		return "", err
	}
	for _, s := range sections {
		if s.name == "profile "+name || (name == "default" && s.name == "default") {
			return s.get(key), nil
		}
	}
	return "", nil
}

// Exports are the shell lines that point the CLI and SDKs at dataDir's files.
func Exports(dataDir, profile string) []string {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		abs = dataDir
	}
	cfg, cred := Paths(abs)
	return []string{
		fmt.Sprintf("export AWS_CONFIG_FILE=%s AWS_SHARED_CREDENTIALS_FILE=%s", shellQuote(cfg), shellQuote(cred)),
		"export AWS_PROFILE=" + shellQuote(profile),
	}
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r == ':' || r == '+' || r == '=' || r == '@' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

type section struct {
	name  string // "" for lines before the first header
	lines []string
}

func (s *section) get(key string) string {
	for _, l := range s.lines {
		if k, v, ok := strings.Cut(l, "="); ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func (s *section) set(key, value string) {
	for i, l := range s.lines {
		if k, _, ok := strings.Cut(l, "="); ok && strings.TrimSpace(k) == key {
			s.lines[i] = key + " = " + value
			return
		}
	}
	s.lines = append(s.lines, key+" = "+value)
}

func (s *section) del(key string) {
	s.lines = slices.DeleteFunc(s.lines, func(l string) bool {
		k, _, ok := strings.Cut(l, "=")
		return ok && strings.TrimSpace(k) == key
	})
}

func readINI(path string) ([]section, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []section
	cur := section{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			if cur.name != "" || len(cur.lines) > 0 {
				out = append(out, cur)
			}
			cur = section{name: strings.TrimSpace(t[1 : len(t)-1])}
			continue
		}
		if t == "" {
			continue
		}
		cur.lines = append(cur.lines, line)
	}
	if cur.name != "" || len(cur.lines) > 0 {
		out = append(out, cur)
	}
	return out, sc.Err()
}

func writeINI(path string, sections []section) error {
	var b strings.Builder
	for i, s := range sections {
		if i > 0 {
			b.WriteString("\n")
		}
		if s.name != "" {
			b.WriteString("[" + s.name + "]\n")
		}
		for _, l := range s.lines {
			b.WriteString(l + "\n")
		}
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	// CreateTemp makes the file 0600 already; the rename keeps it.
	return os.Rename(tmp, path)
}

func upsertSection(path, name string, kv [][2]string) error {
	sections, err := readINI(path)
	if err != nil {
		return err
	}
	idx := -1
	for i := range sections {
		if sections[i].name == name {
			idx = i
		}
	}
	if idx < 0 {
		sections = append(sections, section{name: name})
		idx = len(sections) - 1
	}
	for _, p := range kv {
		sections[idx].set(p[0], p[1])
	}
	return writeINI(path, sections)
}

// lock serializes writers of the profile files across processes
// (`admin create-account` runs while `serve` may rewrite endpoints).
func lock(dataDir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dataDir, Dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
