CREATE TABLE `core_partition_counts` (
	`domain` text NOT NULL,
	`stage` text NOT NULL,
	`status` text NOT NULL,
	`partitions` integer NOT NULL,
	PRIMARY KEY(`domain`, `stage`, `status`)
);
