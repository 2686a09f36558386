// Package mosquitto holds citychain's production Mosquitto configuration,
// mosquitto.conf; its test runs the file in a real Mosquitto. See
// docs/mqtt-security.md.
package mosquitto
