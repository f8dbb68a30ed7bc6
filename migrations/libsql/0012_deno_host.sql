CREATE TABLE `host_alarms` (
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`due_at` integer NOT NULL,
	PRIMARY KEY(`kind`, `name`)
);
--> statement-breakpoint
CREATE INDEX `host_alarms_due_idx` ON `host_alarms` (`due_at`);--> statement-breakpoint
CREATE TABLE `host_backfill_partitions` (
	`backfill_id` text NOT NULL,
	`ordinal` integer NOT NULL,
	`partition_key` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`dispatches` integer DEFAULT 0 NOT NULL,
	`capture_id` text,
	`execution_id` text,
	`error` text,
	`dispatched_at` text,
	`check_at` text,
	`finished_at` text,
	PRIMARY KEY(`backfill_id`, `ordinal`)
);
--> statement-breakpoint
CREATE INDEX `host_backfill_partitions_status_idx` ON `host_backfill_partitions` (`backfill_id`,`status`,`ordinal`);--> statement-breakpoint
CREATE TABLE `host_backfills` (
	`backfill_id` text PRIMARY KEY NOT NULL,
	`pipeline` text NOT NULL,
	`start` text NOT NULL,
	`end` text NOT NULL,
	`params` text NOT NULL,
	`concurrency` integer NOT NULL,
	`slice_size` integer NOT NULL,
	`total` integer NOT NULL,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`finished_at` text
);
--> statement-breakpoint
CREATE TABLE `host_kv` (
	`owner` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`owner`, `key`)
);
--> statement-breakpoint
CREATE TABLE `host_partition_runs` (
	`execution_id` text PRIMARY KEY NOT NULL,
	`pipeline` text NOT NULL,
	`partition_key` text NOT NULL,
	`capture_id` text,
	`trigger` text NOT NULL,
	`attempt` integer NOT NULL,
	`status` text NOT NULL,
	`counts` text,
	`error` text,
	`started_at` text NOT NULL,
	`finished_at` text
);
--> statement-breakpoint
CREATE INDEX `host_partition_runs_partition_idx` ON `host_partition_runs` (`pipeline`,`partition_key`,`started_at`);--> statement-breakpoint
CREATE TABLE `host_partition_state` (
	`pipeline` text NOT NULL,
	`partition_key` text NOT NULL,
	`status` text NOT NULL,
	`stage` text NOT NULL,
	`capture_id` text,
	`execution_id` text,
	`row_count` integer,
	`counts` text,
	`attempts` integer NOT NULL,
	`retry_count` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`started_at` text,
	`finished_at` text,
	`next_retry_at` text,
	`last_result` text,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`pipeline`, `partition_key`)
);
--> statement-breakpoint
CREATE INDEX `host_partition_state_status_idx` ON `host_partition_state` (`status`);