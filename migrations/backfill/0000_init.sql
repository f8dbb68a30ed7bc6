CREATE TABLE `backfill` (
	`id` integer PRIMARY KEY NOT NULL,
	`backfill_id` text NOT NULL,
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
CREATE TABLE `backfill_partitions` (
	`ordinal` integer PRIMARY KEY NOT NULL,
	`partition_key` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`dispatches` integer DEFAULT 0 NOT NULL,
	`capture_id` text,
	`execution_id` text,
	`error` text,
	`dispatched_at` text,
	`check_at` text,
	`finished_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `backfill_partitions_partition_key_unique` ON `backfill_partitions` (`partition_key`);--> statement-breakpoint
CREATE INDEX `backfill_partitions_status` ON `backfill_partitions` (`status`,`ordinal`);