-- The FINRA OTC transparency weekly files for MissingData: one delivery a week, on Tuesday
-- (expected_day_of_week 1; the next trading day when Tuesday is a holiday), by 03:00 New York,
-- after the weekly cron (Tuesdays 06:00 UTC = 01:00 EST / 02:00 EDT) and its retries. Each
-- delivery brings every tier's latest published week, with the tier's own publication lag
-- (NMS Tier 1 two weeks after the week ends, NMS Tier 2 and OTCE four weeks): the pipelines'
-- expectedPartitions. Operators change this row; an existing row is left alone.
INSERT OR IGNORE INTO `core_expected_schedules` (`domain`, `stage`, `expected_day_of_week`, `expected_time`, `tolerance_hours`) VALUES ('finra.otc_transparency', 'INGEST', 1, '03:00', 1);
