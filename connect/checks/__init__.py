"""The policy checks of SPEC 7, split by what they judge; imports nothing, so command checks stay light."""
