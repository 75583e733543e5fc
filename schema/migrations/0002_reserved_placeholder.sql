-- 0002 is reserved for the identity migration on another branch (issue team rules: numbers per
-- branch). This placeholder only keeps versions gapless on branch wt-scale: DROP THIS FILE WHEN
-- MERGING (the real 0002 replaces it).
SELECT 1;
