pragma solidity ^0.8.0;

contract Token {
    address owner;
    function withdraw() public {
        require(tx.origin == owner);
    }
}
