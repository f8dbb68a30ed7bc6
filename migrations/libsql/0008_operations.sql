CREATE TABLE `core_operations` (
	`operation_id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`pipeline` text NOT NULL,
	`range_start` text NOT NULL,
	`range_end` text NOT NULL,
	`status` text NOT NULL,
	`total` integer NOT NULL,
	`done` integer NOT NULL,
	`failed` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`finished_at` text
);
--> statement-breakpoint
CREATE INDEX `core_operations_status_idx` ON `core_operations` (`status`,`updated_at`);