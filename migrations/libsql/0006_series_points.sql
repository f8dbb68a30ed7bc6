CREATE TABLE `core_series_points` (
	`target` text NOT NULL,
	`series` text NOT NULL,
	`period` text NOT NULL,
	`value` integer NOT NULL,
	`capture_id` text NOT NULL,
	`captured_at` text NOT NULL,
	`execution_id` text NOT NULL,
	`batch_id` text NOT NULL,
	PRIMARY KEY(`target`, `series`, `period`)
);
