ALTER TABLE `core_anomalies` ADD `rule` text DEFAULT '' NOT NULL;--> statement-breakpoint
UPDATE `core_anomalies` SET `rule` = `category`, `category` = CASE WHEN `category` = 'QUALITY_GATE' THEN 'QUALITY_GATE' ELSE 'DATA_QUALITY' END WHERE `rule` = '';
