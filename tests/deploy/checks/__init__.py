"""What every rendered overlay must get right, as functions returning the problems they find.

Each check takes the objects of one overlay (and what the code says: settings, topics, consumed
topics) and returns a list of human-readable problems, empty when all is well, so a test can
both assert a clean overlay and prove, on a deliberately broken copy, that the check notices.

One module per group of tests it serves: `workloads` (test_workloads), `kafka_security`
(test_kafka_security), `network` (test_network), `portal` (test_portal), `monitoring`
(test_monitoring and test_metrics_e2e); `common` holds what they share.
"""
