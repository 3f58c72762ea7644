"""The workspace `rename` planner, split by stage; imports nothing, so libcst loads only when a rename is planned."""
