package kafkaclient

import "github.com/IBM/sarama"

// API keys of the requests whose version kscope picks by the cluster's
// Kafka release, and of those it reads in ApiVersions answers.
const (
	apiKeyMetadata                = 3
	apiKeyOffsetFetch             = 9
	apiKeyDescribeGroups          = 15
	apiKeyDescribeAcls            = 29
	apiKeyDescribeConfigs         = 32
	apiKeyAlterConfigs            = 33
	apiKeyCreatePartitions        = 37
	apiKeyDeleteGroups            = 42
	apiKeyIncrementalAlterConfigs = 44
)

// versionStep says that from Kafka release since on, a request is sent at
// version.
type versionStep struct {
	since   sarama.KafkaVersion
	version int16
}

// requestVersions holds, for each request sent with a version kscope
// picks, the releases that brought the versions it uses, newest first:
// sarama fills these requests at whatever version it is given, so the
// version must be one the cluster takes. A release older than a request's
// last step does not have the request.
var requestVersions = map[int16][]versionStep{
	apiKeyDescribeGroups:          {{sarama.V2_4_0_0, 5}, {sarama.V2_3_0_0, 3}, {sarama.V2_0_0_0, 2}, {sarama.MinVersion, 0}},
	apiKeyDescribeConfigs:         {{sarama.V2_0_0_0, 2}, {sarama.V1_1_0_0, 1}, {sarama.MinVersion, 0}},
	apiKeyDescribeAcls:            {{sarama.V2_0_0_0, 1}, {sarama.MinVersion, 0}},
	apiKeyAlterConfigs:            {{sarama.V2_0_0_0, 1}, {sarama.MinVersion, 0}},
	apiKeyCreatePartitions:        {{sarama.V2_7_0_0, 3}, {sarama.V2_5_0_0, 2}, {sarama.V2_0_0_0, 1}, {sarama.MinVersion, 0}},
	apiKeyDeleteGroups:            {{sarama.V2_4_0_0, 2}, {sarama.V2_0_0_0, 1}, {sarama.MinVersion, 0}},
	apiKeyIncrementalAlterConfigs: {{sarama.V2_4_0_0, 1}, {sarama.V2_3_0_0, 0}},
}

// requestVersion is the version of request apiKey to send to a cluster
// running release v, or -1 when v does not have the request.
func requestVersion(apiKey int16, v sarama.KafkaVersion) int16 {
	for _, s := range requestVersions[apiKey] {
		if v.IsAtLeast(s.since) {
			return s.version
		}
	}
	return -1
}
