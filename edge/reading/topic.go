package reading

// MQTT topics of citychain. A gateway publishes each signed reading (the
// wire bytes) on its device's topic, Topic(device), and its own retained
// status ("online", and "offline" as its last will) on StatusTopic(gateway)
// and outbox alarm ("outbox_full" or "ok") on AlarmTopic(gateway). The
// settlement service subscribes to TopicPrefix+"+" (as
// $share/<group>/citychain/v1/readings/+), and the broker's ACL lets a
// gateway write only its own devices' and its own status topics.
const (
	// TopicRoot is the versioned root of every citychain topic.
	TopicRoot = "citychain/v1/"
	// TopicPrefix precedes a device id: the topic of the device's readings.
	TopicPrefix = TopicRoot + "readings/"
	// StatusTopicPrefix precedes a gateway id: the topic of its status;
	// its alarm topic adds "/alarm".
	StatusTopicPrefix = TopicRoot + "status/"
)

// Topic is the topic of a device's signed readings.
func Topic(device string) string { return TopicPrefix + device }

// StatusTopic is the retained online/offline topic of a gateway.
func StatusTopic(gateway string) string { return StatusTopicPrefix + gateway }

// AlarmTopic is the retained outbox-alarm topic of a gateway.
func AlarmTopic(gateway string) string { return StatusTopic(gateway) + "/alarm" }
