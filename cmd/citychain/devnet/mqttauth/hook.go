package mqttauth

import (
	"bytes"
	"sync/atomic"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// Hook enforces a password file and an ACL in a mochi-mqtt broker, with
// Mosquitto's semantics: no anonymous clients; a client's publishes,
// subscriptions and deliveries checked against the ACL; a last will on a
// topic the client may not write is dropped.
//
// One difference is mochi's: a denied QoS 1 or 2 publish over MQTT 3.1.1
// disconnects the client, where Mosquitto acknowledges and drops it.
type Hook struct {
	mqtt.HookBase
	pw  *Passwords
	acl *ACL
}

var _ mqtt.Hook = (*Hook)(nil)

// NewHook returns a hook for pw and acl; a nil acl lets every
// authenticated client do anything (Mosquitto without acl_file).
func NewHook(pw *Passwords, acl *ACL) *Hook {
	if pw == nil {
		pw = &Passwords{}
	}
	return &Hook{pw: pw, acl: acl}
}

// ID names the hook.
func (h *Hook) ID() string { return "citychain-mqttauth" }

// Provides reports the hook's methods.
func (h *Hook) Provides(b byte) bool {
	return bytes.Contains([]byte{mqtt.OnConnectAuthenticate, mqtt.OnACLCheck}, []byte{b})
}

// OnConnectAuthenticate accepts a client whose user name and password are
// in the password file.
func (h *Hook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	if !pk.Connect.UsernameFlag || !pk.Connect.PasswordFlag {
		return false
	}
	user := string(pk.Connect.Username)
	if !h.pw.Verify(user, string(pk.Connect.Password)) {
		return false
	}
	if pk.Connect.WillFlag && h.acl != nil && !h.acl.CanPublish(user, cl.ID, pk.Connect.WillTopic) {
		atomic.StoreUint32(&cl.Properties.Will.Flag, 0) // Mosquitto drops such a will
	}
	return true
}

// OnACLCheck decides a publish (write), or a subscription or delivery.
func (h *Hook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	if h.acl == nil {
		return true
	}
	user := string(cl.Properties.Username)
	if write {
		return h.acl.CanPublish(user, cl.ID, topic)
	}
	return h.acl.CanSubscribe(user, cl.ID, topic)
}
