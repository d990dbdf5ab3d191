--
-- timeline: a node that was never promoted has no history
--
SELECT * FROM failprobe.timeline_history();
SELECT tli FROM failprobe.status();
SELECT count(*) AS promotions FROM failprobe.events WHERE kind = 'promoted';
