// Command kscope is a terminal UI for Apache Kafka clusters.
package main

func main() {}
