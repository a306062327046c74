-- Nothing to undo: a folded key finds everything the key before it found, and the names
-- themselves were not changed.
SELECT 1;
