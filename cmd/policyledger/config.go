package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Config is the run's configuration. Precedence: flag > environment
// (POLICYLEDGER_<KEY>) > config file (policyledger.yaml) > default.
// Dataset metadata with meaningful case (titles, licences) is not here: it
// lives in sources.yaml and is read verbatim.
type Config struct {
	Version  string `mapstructure:"version"`
	Output   string `mapstructure:"output"`
	Sources  string `mapstructure:"sources"`
	Until    string `mapstructure:"until"`
	CSVBOM   bool   `mapstructure:"csv_bom"`
	LogLevel string `mapstructure:"log_level"`
	// ReviewThreshold: alignment beads scoring below it need review.
	ReviewThreshold float64 `mapstructure:"review_threshold"`
	// Strict turns every quality warning into a failure.
	Strict bool `mapstructure:"strict"`
	// Jobs is how many documents are processed at once (0: one per core).
	Jobs int `mapstructure:"jobs"`
	// NoCache turns the incremental runner's cache off.
	NoCache bool `mapstructure:"no_cache"`
	// ReportRows bounds the run report's per-document lines (0: no bound).
	ReportRows int `mapstructure:"report_rows"`

	Refresh           bool   `mapstructure:"refresh"`
	AcceptChanges     bool   `mapstructure:"accept_changes"`
	FetchTimeout      string `mapstructure:"fetch_timeout"`
	FetchRetries      int    `mapstructure:"fetch_retries"`
	FetchMaxBody      int64  `mapstructure:"fetch_max_body"`
	FetchAllowPrivate bool   `mapstructure:"fetch_allow_private"`
}

// setting is one configuration key: the only place its default is defined.
// runOnly settings belong to the run command (fetch stops before they
// matter, so it does not offer them).
type setting struct {
	key, flag string
	def       any
	usage     string
	runOnly   bool
}

var settings = []setting{
	{"version", "version", "auto", "dataset version to release: auto (the next version after the newest published one, by what changed; none when nothing did) or a semantic version", true},
	{"output", "output", "output", "folder for generated files: releases/<version>/ and work/<stage>/", false},
	{"sources", "sources", "", "path of a sources.yaml on disk (its snapshots are read relative to it); empty uses the embedded sources", false},
	{"until", "until", "", "stop after this stage and write its documents as JSON to <output>/work/<stage>/", true},
	{"csv_bom", "csv-bom", false, "also write <table>.excel.csv (UTF-8 with BOM, CRLF) for spreadsheet programs", true},
	{"log_level", "log-level", "info", "log level: debug, info, warn or error (logs go to stderr)", false},
	{"review_threshold", "review-threshold", 0.8, "alignment beads scoring below this (0–1) are flagged for review and listed in review.csv", true},
	{"no_cache", "no-cache", false, "do not reuse or keep per-document results in <output>/cache (a rerun then recomputes everything)", true},
	{"jobs", "jobs", 0, "documents processed at once; 0 means one per core (the output is the same for any value)", false},
	{"report_rows", "report-rows", 50, "documents listed in the run report, and layout, removed and review lines of each kind printed (the rest are counted; warnings and failures are always printed); 0 prints everything", true},
	{"strict", "strict", false, "fail every document that has a quality warning (missing or misaligned translation, duplicated clause, empty heading…); for scheduled runs", true},
	{"refresh", "refresh", false, "fetch every source that has a url before running (needs --sources on disk); changed bodies are written as new snapshots, not used", false},
	{"accept_changes", "accept-changes", false, "with --refresh: pin changed bodies in sources.yaml and use them", false},
	{"fetch_timeout", "fetch-timeout", "60s", "time limit of one HTTP request, body included", false},
	{"fetch_retries", "fetch-retries", 4, "retries after a network error, 5xx or 429 (with exponential backoff and jitter; Retry-After honoured)", false},
	{"fetch_max_body", "fetch-max-body", int64(50 << 20), "largest body accepted, in bytes", false},
	{"fetch_allow_private", "fetch-allow-private", false, "allow urls that resolve to loopback or private addresses", false},
}

// envPrefix prefixes every environment variable: POLICYLEDGER_VERSION, …
const envPrefix = "POLICYLEDGER"

// addFlags registers one flag per setting on fs; with fetchOnly, only the
// settings the fetch command uses.
func addFlags(fs *pflag.FlagSet, fetchOnly bool) {
	for _, s := range settings {
		if fetchOnly && s.runOnly {
			continue
		}
		switch d := s.def.(type) {
		case string:
			fs.String(s.flag, d, s.usage)
		case bool:
			fs.Bool(s.flag, d, s.usage)
		case float64:
			fs.Float64(s.flag, d, s.usage)
		case int:
			fs.Int(s.flag, d, s.usage)
		case int64:
			fs.Int64(s.flag, d, s.usage)
		}
	}
	fs.String("config", "", "configuration file (default: policyledger.yaml in the working folder, if present)")
}

// usageError marks errors in how the program was called or configured.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// auxiliaryEnv are POLICYLEDGER_ variables that are not settings: the test
// suite's own switches.
var auxiliaryEnv = map[string]bool{"PROFILES": true, "REQUIRE_FIXTURES": true, "RUN_MAIN": true, "TEST_WRITE_DELAY": true}

// checkEnv reads the POLICYLEDGER_ variables before the configuration layer
// does, so that a bad value names its variable and an unknown one is
// reported with the setting it was probably meant to be.
func checkEnv(environ []string) (warnings []string, err error) {
	for _, kv := range environ {
		name, val, _ := strings.Cut(kv, "=")
		rest, ok := strings.CutPrefix(name, envPrefix+"_")
		if !ok || auxiliaryEnv[rest] {
			continue
		}
		key := strings.ToLower(rest)
		var st *setting
		for i := range settings {
			if settings[i].key == key {
				st = &settings[i]
			}
		}
		if st == nil {
			warnings = append(warnings, fmt.Sprintf("environment variable %s is not a setting and is ignored; did you mean %s_%s?", name, envPrefix, strings.ToUpper(closest(key, keys()))))
			continue
		}
		if err := parseAs(st.def, val); err != nil {
			return warnings, usageError{fmt.Errorf("environment variable %s=%q: %v", name, val, err)}
		}
	}
	return warnings, nil
}

// parseAs checks that s reads as a value of def's type.
func parseAs(def any, s string) error {
	var err error
	switch def.(type) {
	case bool:
		if _, err = strconv.ParseBool(s); err != nil {
			return fmt.Errorf("not true or false")
		}
	case float64:
		if _, err = strconv.ParseFloat(s, 64); err != nil {
			return fmt.Errorf("not a number (such as %v)", def)
		}
	case int, int64:
		if _, err = strconv.ParseInt(s, 10, 64); err != nil {
			return fmt.Errorf("not a whole number (such as %v)", def)
		}
	}
	return nil
}

// closest is the candidate with the smallest edit distance to s.
func closest(s string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		if d := editDistance(s, c); bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// lineOf is the 1-based line of a key in a YAML file, or 0.
func lineOf(path, key string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), key+":") {
			return i + 1
		}
	}
	return 0
}

// loadConfig resolves the configuration from flags, environment, file and
// defaults. Unknown keys in the file are refused; warnings (unknown
// environment variables) are returned for the caller to print.
func loadConfig(fs *pflag.FlagSet) (Config, []string, error) {
	warnings, err := checkEnv(os.Environ())
	if err != nil {
		return Config{}, warnings, err
	}
	v := viper.New()
	for _, s := range settings {
		v.SetDefault(s.key, s.def) // every key, so env-only values are unmarshalled too
		if f := fs.Lookup(s.flag); f != nil {
			if err := v.BindPFlag(s.key, f); err != nil {
				return Config{}, warnings, err
			}
		}
	}
	v.SetEnvPrefix(envPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_", ".", "_"))
	v.AutomaticEnv()

	path, _ := fs.GetString("config")
	explicit := path != ""
	if !explicit {
		path = "policyledger.yaml"
	}
	v.SetConfigFile(path)
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil {
		var pe *os.PathError
		if explicit || !errors.As(err, &pe) {
			return Config{}, warnings, usageError{fmt.Errorf("config %s: %v: fix the file or pass another --config", path, err)}
		}
	}
	// YAML reads version: 1.0 as the number 1; the file's version must be
	// written as text.
	switch v.Get("version").(type) {
	case float64, int:
		where := "config " + path
		if n := lineOf(path, "version"); n > 0 {
			where = fmt.Sprintf("config %s line %d", path, n)
		}
		return Config{}, warnings, usageError{fmt.Errorf("%s: version is a number to YAML, not a version: write it quoted, like version: \"0.1.0\", or auto", where)}
	}
	var c Config
	if err := v.UnmarshalExact(&c); err != nil {
		// Flags and variables were checked already: the value is the file's.
		where := "config " + path
		for _, k := range keys() {
			if strings.Contains(err.Error(), "'"+k+"'") {
				if n := lineOf(path, k); n > 0 {
					where = fmt.Sprintf("config %s line %d (%s)", path, n, k)
				}
			}
		}
		return Config{}, warnings, usageError{fmt.Errorf("%s: %s: known keys are %s", where, oneLine(err.Error()), strings.Join(keys(), ", "))}
	}
	return c, warnings, nil
}

// defaultOf is the default of a setting.
func defaultOf(key string) any {
	for _, s := range settings {
		if s.key == key {
			return s.def
		}
	}
	panic("no setting " + key)
}

func keys() []string {
	k := make([]string, len(settings))
	for i, s := range settings {
		k[i] = s.key
	}
	return k
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
