// RigReady waits until the rig's cluster is ready for tests, then gives
// the limited user its ACLs. cluster.sh runs it with Java's single-file
// source launcher on the Kafka classpath, after starting the brokers:
//
//   java -cp 'target/libs/*' RigReady.java PLAINTEXT_BOOTSTRAP SASL_BOOTSTRAP CA_PEM \
//        ADMIN_USER ADMIN_PASSWORD LIMITED_USER SECRET_PREFIX BROKERS TIMEOUT_SECONDS
//
// Ready means: every broker is registered and unfenced, a topic with one
// replica on each broker has all its replicas in sync, a record produced
// with acks=all to each of its partitions is acknowledged, and the SASL_SSL
// listener authenticates the superuser.
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;

public class RigReady {
    static final String READY_TOPIC = "kscope-rig-ready";

    public static void main(String[] args) throws Exception {
        if (args.length != 9) {
            System.err.println("usage: RigReady PLAINTEXT_BOOTSTRAP SASL_BOOTSTRAP CA_PEM ADMIN_USER ADMIN_PASSWORD LIMITED_USER SECRET_PREFIX BROKERS TIMEOUT_SECONDS");
            System.exit(2);
        }
        String plain = args[0], sasl = args[1], ca = args[2];
        String adminUser = args[3], adminPassword = args[4], limited = args[5], secretPrefix = args[6];
        int brokers = Integer.parseInt(args[7]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[8]));
        long start = System.nanoTime();

        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, plain);
        ap.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        ap.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        try (Admin admin = Admin.create(ap)) {
            // 1. Every broker registered and unfenced (DescribeCluster lists only those).
            while (true) {
                int n = -1;
                try {
                    n = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                } catch (Exception e) {
                    // not up yet
                }
                if (n == brokers) break;
                check(deadline, "waiting for " + brokers + " brokers, " + Math.max(n, 0) + " registered");
                Thread.sleep(200);
            }
            step("brokers registered", start);

            // 2. A topic with a replica on each broker, every replica in sync.
            try {
                admin.createTopics(List.of(new NewTopic(READY_TOPIC, brokers, (short) brokers))).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) throw e;
            }
            while (true) {
                String why = null;
                try {
                    TopicDescription d = admin.describeTopics(List.of(READY_TOPIC)).allTopicNames().get(5, TimeUnit.SECONDS).get(READY_TOPIC);
                    for (TopicPartitionInfo p : d.partitions()) {
                        if (p.leader() == null || p.isr().size() < brokers) {
                            why = "partition " + p.partition() + " leader " + p.leader() + " isr " + p.isr();
                        }
                    }
                } catch (Exception e) {
                    why = e.toString();
                }
                if (why == null) break;
                check(deadline, "waiting for in-sync replicas of " + READY_TOPIC + ": " + why);
                Thread.sleep(200);
            }
            step("replicas in sync", start);

            // 3. Records acknowledged by every replica.
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, plain);
            pp.put(ProducerConfig.ACKS_CONFIG, "all");
            pp.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
            pp.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
            pp.put(ProducerConfig.LINGER_MS_CONFIG, "0");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
                List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
                for (int p = 0; p < brokers; p++) {
                    sent.add(producer.send(new ProducerRecord<>(READY_TOPIC, p, null, "ready " + System.currentTimeMillis())));
                }
                for (var f : sent) f.get(30, TimeUnit.SECONDS);
            }
            step("produced with acks=all", start);

            // 4. The limited user may do anything with topics and groups,
            //    except with topics whose names start with SECRET_PREFIX.
            String principal = "User:" + limited;
            admin.createAcls(List.of(
                new AclBinding(new ResourcePattern(ResourceType.TOPIC, "*", PatternType.LITERAL),
                    new AccessControlEntry(principal, "*", AclOperation.ALL, AclPermissionType.ALLOW)),
                new AclBinding(new ResourcePattern(ResourceType.GROUP, "*", PatternType.LITERAL),
                    new AccessControlEntry(principal, "*", AclOperation.ALL, AclPermissionType.ALLOW)),
                new AclBinding(new ResourcePattern(ResourceType.TOPIC, secretPrefix, PatternType.PREFIXED),
                    new AccessControlEntry(principal, "*", AclOperation.ALL, AclPermissionType.DENY))
            )).all().get(30, TimeUnit.SECONDS);
            step("ACLs of " + limited + " created", start);
        }

        // 5. The superuser authenticates over SCRAM-SHA-512 on TLS.
        Properties sp = new Properties();
        sp.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, sasl);
        sp.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        sp.put("sasl.mechanism", "SCRAM-SHA-512");
        sp.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + adminUser + "\" password=\"" + adminPassword + "\";");
        sp.put("ssl.truststore.type", "PEM");
        sp.put("ssl.truststore.location", ca);
        sp.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        sp.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        try (Admin admin = Admin.create(sp)) {
            while (true) {
                try {
                    int n = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size();
                    if (n == brokers) break;
                } catch (Exception e) {
                    check(deadline, "SASL_SSL listener: " + e);
                }
                check(deadline, "SASL_SSL listener: waiting for " + brokers + " brokers");
                Thread.sleep(200);
            }
        }
        step("SASL_SSL login as " + adminUser, start);
    }

    static void check(long deadline, String what) {
        if (System.nanoTime() > deadline) {
            System.err.println("rig not ready in time: " + what);
            System.exit(1);
        }
    }

    static void step(String what, long start) {
        System.err.printf("  %-32s %5.1fs%n", what, (System.nanoTime() - start) / 1e9);
    }
}
