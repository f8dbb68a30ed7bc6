-- core_partition_counts follows core_manifest: each partition counts once, under the status
-- of its latest capture (by captured_at, then capture_id). Triggers keep it exact on every
-- insert, status change and delete; the last statement counts the rows already there.
-- A missing count row is added with INSERT … WHERE NOT EXISTS, never INSERT OR IGNORE: the
-- outer statement's conflict policy (the runner's upserts) would override the IGNORE.
CREATE TRIGGER `core_manifest_counts_insert` AFTER INSERT ON `core_manifest`
WHEN NOT EXISTS (
  SELECT 1 FROM `core_manifest` m
  WHERE m.domain = NEW.domain AND m.stage = NEW.stage AND m.partition_key = NEW.partition_key
    AND (m.captured_at, m.capture_id) > (NEW.captured_at, NEW.capture_id)
)
BEGIN
  UPDATE `core_partition_counts` SET partitions = partitions - 1
  WHERE domain = NEW.domain AND stage = NEW.stage AND status = (
    SELECT m.status FROM `core_manifest` m
    WHERE m.domain = NEW.domain AND m.stage = NEW.stage AND m.partition_key = NEW.partition_key
      AND m.capture_id <> NEW.capture_id
    ORDER BY m.captured_at DESC, m.capture_id DESC LIMIT 1
  );
  INSERT INTO `core_partition_counts` (domain, stage, status, partitions)
  SELECT NEW.domain, NEW.stage, NEW.status, 0 WHERE NOT EXISTS (
    SELECT 1 FROM `core_partition_counts`
    WHERE domain = NEW.domain AND stage = NEW.stage AND status = NEW.status
  );
  UPDATE `core_partition_counts` SET partitions = partitions + 1
  WHERE domain = NEW.domain AND stage = NEW.stage AND status = NEW.status;
END;
--> statement-breakpoint
CREATE TRIGGER `core_manifest_counts_update` AFTER UPDATE OF `status` ON `core_manifest`
WHEN OLD.status <> NEW.status AND NOT EXISTS (
  SELECT 1 FROM `core_manifest` m
  WHERE m.domain = NEW.domain AND m.stage = NEW.stage AND m.partition_key = NEW.partition_key
    AND (m.captured_at, m.capture_id) > (NEW.captured_at, NEW.capture_id)
)
BEGIN
  UPDATE `core_partition_counts` SET partitions = partitions - 1
  WHERE domain = OLD.domain AND stage = OLD.stage AND status = OLD.status;
  INSERT INTO `core_partition_counts` (domain, stage, status, partitions)
  SELECT NEW.domain, NEW.stage, NEW.status, 0 WHERE NOT EXISTS (
    SELECT 1 FROM `core_partition_counts`
    WHERE domain = NEW.domain AND stage = NEW.stage AND status = NEW.status
  );
  UPDATE `core_partition_counts` SET partitions = partitions + 1
  WHERE domain = NEW.domain AND stage = NEW.stage AND status = NEW.status;
END;
--> statement-breakpoint
CREATE TRIGGER `core_manifest_counts_delete` AFTER DELETE ON `core_manifest`
WHEN NOT EXISTS (
  SELECT 1 FROM `core_manifest` m
  WHERE m.domain = OLD.domain AND m.stage = OLD.stage AND m.partition_key = OLD.partition_key
    AND (m.captured_at, m.capture_id) > (OLD.captured_at, OLD.capture_id)
)
BEGIN
  UPDATE `core_partition_counts` SET partitions = partitions - 1
  WHERE domain = OLD.domain AND stage = OLD.stage AND status = OLD.status;
  INSERT INTO `core_partition_counts` (domain, stage, status, partitions)
  SELECT l.domain, l.stage, l.status, 0 FROM (
    SELECT m.domain, m.stage, m.status FROM `core_manifest` m
    WHERE m.domain = OLD.domain AND m.stage = OLD.stage AND m.partition_key = OLD.partition_key
    ORDER BY m.captured_at DESC, m.capture_id DESC LIMIT 1
  ) l
  WHERE NOT EXISTS (
    SELECT 1 FROM `core_partition_counts` p
    WHERE p.domain = l.domain AND p.stage = l.stage AND p.status = l.status
  );
  UPDATE `core_partition_counts` SET partitions = partitions + 1
  WHERE domain = OLD.domain AND stage = OLD.stage AND status = (
    SELECT m.status FROM `core_manifest` m
    WHERE m.domain = OLD.domain AND m.stage = OLD.stage AND m.partition_key = OLD.partition_key
    ORDER BY m.captured_at DESC, m.capture_id DESC LIMIT 1
  );
END;
--> statement-breakpoint
INSERT INTO `core_partition_counts` (domain, stage, status, partitions)
SELECT domain, stage, status, count(*) FROM (
  SELECT m.domain, m.stage, m.status FROM `core_manifest` m
  WHERE NOT EXISTS (
    SELECT 1 FROM `core_manifest` n
    WHERE n.domain = m.domain AND n.stage = m.stage AND n.partition_key = m.partition_key
      AND (n.captured_at, n.capture_id) > (m.captured_at, m.capture_id)
  )
)
GROUP BY domain, stage, status;
