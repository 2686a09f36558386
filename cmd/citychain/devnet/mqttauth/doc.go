// Package mqttauth reads and writes Mosquitto's own password_file and
// acl_file, decides what a user may publish, subscribe to and receive with
// Mosquitto 2.0's semantics, and enforces both files in the devnet's
// embedded mochi-mqtt broker (Hook), so the same two files secure either
// broker. Users generates the files for citychain: each gateway writes only
// its own devices' readings and its own status, settlement reads readings,
// observers read everything. See docs/mqtt-security.md.
package mqttauth
