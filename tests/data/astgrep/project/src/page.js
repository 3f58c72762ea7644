alert("😀");
function f() { alert(1); }
