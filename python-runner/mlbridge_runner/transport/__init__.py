"""Kafka plumbing: librdkafka settings and topic set-up."""
