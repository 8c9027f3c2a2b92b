package kafkaclient

import (
	"testing"

	"github.com/IBM/sarama"
)

func TestRequestVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		apiKey  int16
		release sarama.KafkaVersion
		want    int16
	}{
		{apiKeyDescribeGroups, sarama.V1_0_0_0, 0},
		{apiKeyDescribeGroups, sarama.V2_0_0_0, 2},
		{apiKeyDescribeGroups, sarama.V2_3_0_0, 3},
		{apiKeyDescribeGroups, sarama.V2_4_0_0, 5},
		{apiKeyDescribeGroups, sarama.V4_0_0_0, 5},
		{apiKeyDescribeConfigs, sarama.V1_0_0_0, 0},
		{apiKeyDescribeConfigs, sarama.V1_1_0_0, 1},
		{apiKeyDescribeConfigs, sarama.V2_8_0_0, 2},
		{apiKeyAlterConfigs, sarama.V1_1_0_0, 0},
		{apiKeyAlterConfigs, sarama.V2_2_0_0, 1},
		{apiKeyCreatePartitions, sarama.V1_0_0_0, 0},
		{apiKeyCreatePartitions, sarama.V2_0_0_0, 1},
		{apiKeyCreatePartitions, sarama.V2_6_0_0, 2},
		{apiKeyCreatePartitions, sarama.V3_6_0_0, 3},
		{apiKeyDeleteGroups, sarama.V1_1_0_0, 0},
		{apiKeyDeleteGroups, sarama.V2_1_0_0, 1},
		{apiKeyDeleteGroups, sarama.V2_4_0_0, 2},
		{apiKeyIncrementalAlterConfigs, sarama.V2_2_0_0, -1},
		{apiKeyIncrementalAlterConfigs, sarama.V2_3_0_0, 0},
		{apiKeyIncrementalAlterConfigs, sarama.V2_8_0_0, 1},
		{apiKeyMetadata, sarama.V2_8_0_0, -1}, // sarama picks that one itself
	}
	for _, tt := range tests {
		if got := requestVersion(tt.apiKey, tt.release); got != tt.want {
			t.Errorf("requestVersion(%d, %s) = %d, want %d", tt.apiKey, tt.release, got, tt.want)
		}
	}
}

// TestRequestVersionsNewestFirst guards the order the lookup relies on:
// a step listed after an older one would never be reached.
func TestRequestVersionsNewestFirst(t *testing.T) {
	t.Parallel()
	for key, steps := range requestVersions {
		for i := 1; i < len(steps); i++ {
			if !steps[i-1].since.IsAtLeast(steps[i].since) || steps[i-1].version <= steps[i].version {
				t.Errorf("API key %d: step %d (%s → v%d) is not older than step %d (%s → v%d)",
					key, i, steps[i].since, steps[i].version, i-1, steps[i-1].since, steps[i-1].version)
			}
		}
	}
}
