package store

import (
	"encoding/json"
	"testing"
)

func TestJSONValues(t *testing.T) {
	kv := NewCache(NewMemTree())
	type value struct {
		N uint64 `json:"n"`
		S string `json:"s,omitempty"`
	}
	var got value
	if GetJSON(kv, []byte("k"), &got) {
		t.Fatalf("GetJSON of an absent key: got true, want false")
	}
	want := value{N: 7, S: "x"}
	PutJSON(kv, []byte("k"), want)
	if b, _ := json.Marshal(want); string(kv.Get([]byte("k"))) != string(b) {
		t.Errorf("PutJSON stored %s, want %s", kv.Get([]byte("k")), b)
	}
	if !GetJSON(kv, []byte("k"), &got) || got != want {
		t.Errorf("GetJSON: got %+v, want %+v", got, want)
	}
	var decoded value
	DecodeJSON(kv.Get([]byte("k")), &decoded)
	if decoded != want {
		t.Errorf("DecodeJSON: got %+v, want %+v", decoded, want)
	}

	kv.Set([]byte("bad"), []byte("{"))
	for name, fn := range map[string]func(){
		"GetJSON":    func() { GetJSON(kv, []byte("bad"), &got) },
		"DecodeJSON": func() { DecodeJSON(kv.Get([]byte("bad")), &got) },
		"GetUint64":  func() { GetUint64(kv, []byte("bad")) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s of a corrupt value: got no panic, want one", name)
				}
			}()
			fn()
		})
	}
}

func TestGetUint64(t *testing.T) {
	kv := NewCache(NewMemTree())
	if got := GetUint64(kv, []byte("c")); got != 0 {
		t.Errorf("GetUint64 of an absent key: got %d, want 0", got)
	}
	kv.Set([]byte("c"), []byte{0, 0, 0, 0, 0, 0, 1, 2})
	if got := GetUint64(kv, []byte("c")); got != 258 {
		t.Errorf("GetUint64: got %d, want 258", got)
	}
}
