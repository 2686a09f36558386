package module

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/citychain/citychain/chain/internal/store"
)

// ErrUnknownKey is what an ExportSection visit returns for a key outside
// the module's key families.
var ErrUnknownKey = errors.New("no key family of the module has this key")

// ExportSection is the frame of an ExportGenesis that reads the module's
// store kv into section, a pointer to its genesis value. It calls visit for
// every key of kv in key order and stops at the first error, which it
// returns naming the key. If kv holds no key it returns no section (nil);
// otherwise check does the checks that need the whole state read, and
// section is returned as JSON. Errors start "export <name>: ".
func ExportSection(name string, kv store.KV, section any, visit func(key, value []byte) error, check func() error) (json.RawMessage, error) {
	var (
		err   error
		found bool
	)
	store.Each(kv, nil, nil, func(key, value []byte) bool {
		found = true
		if e := visit(key, value); e != nil {
			err = fmt.Errorf("key %x: %w", key, e)
		}
		return err == nil
	})
	if err == nil && found {
		err = check()
	}
	switch {
	case err != nil:
		return nil, fmt.Errorf("export %s: %w", name, err)
	case !found:
		return nil, nil
	}
	return json.Marshal(section)
}

// RequireParams is the ExportSection check of a module whose genesis
// section always writes its parameters: it fails unless *stored, which the
// visit sets when it meets them, as no section reproduces a state that
// holds keys but no parameters.
func RequireParams(stored *bool) func() error {
	return func() error {
		if !*stored {
			return errors.New("the state has no parameters, which a genesis section always writes")
		}
		return nil
	}
}

// AppendJSON decodes value as a new last element of *list.
func AppendJSON[T any](list *[]T, value []byte) error {
	var v T
	if err := json.Unmarshal(value, &v); err != nil {
		return err
	}
	*list = append(*list, v)
	return nil
}
