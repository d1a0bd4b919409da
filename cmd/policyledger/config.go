package main

import (
	"errors"
	"fmt"
	"os"
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

	Refresh           bool   `mapstructure:"refresh"`
	AcceptChanges     bool   `mapstructure:"accept_changes"`
	FetchTimeout      string `mapstructure:"fetch_timeout"`
	FetchRetries      int    `mapstructure:"fetch_retries"`
	FetchMaxBody      int64  `mapstructure:"fetch_max_body"`
	FetchAllowPrivate bool   `mapstructure:"fetch_allow_private"`
}

// setting is one configuration key: the only place its default is defined.
type setting struct {
	key, flag string
	def       any
	usage     string
}

var settings = []setting{
	{"version", "version", "0.2.0", "dataset version to release (semantic version; needs an entry in the changelog)"},
	{"output", "output", "output", "folder for generated files: releases/<version>/ and work/<stage>/"},
	{"sources", "sources", "", "path of a sources.yaml on disk (its snapshots are read relative to it); empty uses the embedded sources"},
	{"until", "until", "", "stop after this stage and write its documents as JSON to <output>/work/<stage>/"},
	{"csv_bom", "csv-bom", false, "also write <table>.excel.csv (UTF-8 with BOM, CRLF) for spreadsheet programs"},
	{"log_level", "log-level", "info", "log level: debug, info, warn or error (logs go to stderr)"},
	{"review_threshold", "review-threshold", 0.8, "alignment beads scoring below this (0–1) are flagged for review and listed in review.csv"},
	{"strict", "strict", false, "fail every document that has a quality warning (missing or misaligned translation, duplicated clause, empty heading…); for scheduled runs"},
	{"refresh", "refresh", false, "fetch every source that has a url before running (needs --sources on disk); changed bodies are written as new snapshots, not used"},
	{"accept_changes", "accept-changes", false, "with --refresh: pin changed bodies in sources.yaml and use them"},
	{"fetch_timeout", "fetch-timeout", "60s", "time limit of one HTTP request, body included"},
	{"fetch_retries", "fetch-retries", 4, "retries after a network error, 5xx or 429 (with exponential backoff and jitter; Retry-After honoured)"},
	{"fetch_max_body", "fetch-max-body", int64(50 << 20), "largest body accepted, in bytes"},
	{"fetch_allow_private", "fetch-allow-private", false, "allow urls that resolve to loopback or private addresses"},
}

// envPrefix prefixes every environment variable: POLICYLEDGER_VERSION, …
const envPrefix = "POLICYLEDGER"

// addFlags registers one flag per setting on fs.
func addFlags(fs *pflag.FlagSet) {
	for _, s := range settings {
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

// loadConfig resolves the configuration from flags, environment, file and
// defaults. Unknown keys in the file are refused.
func loadConfig(fs *pflag.FlagSet) (Config, error) {
	v := viper.New()
	for _, s := range settings {
		v.SetDefault(s.key, s.def) // every key, so env-only values are unmarshalled too
		if err := v.BindPFlag(s.key, fs.Lookup(s.flag)); err != nil {
			return Config{}, err
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
			return Config{}, usageError{fmt.Errorf("config %s: %v: fix the file or pass another --config", path, err)}
		}
	}
	var c Config
	if err := v.UnmarshalExact(&c); err != nil {
		return Config{}, usageError{fmt.Errorf("config %s: %s: known keys are %s", path, oneLine(err.Error()), strings.Join(keys(), ", "))}
	}
	return c, nil
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
