//! Name lists for generated people and places, and the ASCII folding that turns names into
//! usernames. Every list is fixed, so a seed always picks the same names.

/// Given names usually given to girls.
pub(super) const FEMALE_GIVEN: &[&str] = &[
    "Olivia", "Emma", "Charlotte", "Amelia", "Sophia", "Mia", "Isabella", "Ava", "Evelyn", "Luna",
    "Harper", "Sofia", "Camila", "Eleanor", "Elizabeth", "Violet", "Scarlett", "Emily", "Hazel", "Lily",
    "Gianna", "Aurora", "Penelope", "Aria", "Nora", "Chloe", "Ellie", "Mila", "Avery", "Layla",
    "Abigail", "Ella", "Isla", "Eliana", "Nova", "Madison", "Zoe", "Ivy", "Grace", "Lucy",
    "Willow", "Emilia", "Riley", "Naomi", "Victoria", "Stella", "Elena", "Hannah", "Valentina", "Maya",
    "Zoey", "Delilah", "Leah", "Lainey", "Lillian", "Paisley", "Genesis", "Madelyn", "Sadie", "Sophie",
    "Leilani", "Addison", "Natalie", "Josephine", "Alice", "Ruby", "Claire", "Kinsley", "Everly", "Emery",
    "Adeline", "Kennedy", "Maeve", "Audrey", "Autumn", "Athena", "Eden", "Iris", "Anna", "Eloise",
    "Jade", "Maria", "Caroline", "Brooklyn", "Quinn", "Aaliyah", "Vivian", "Liliana", "Gabriella", "Hailey",
    "Sarah", "Savannah", "Cora", "Madeline", "Natalia", "Ariana", "Lydia", "Lyla", "Clara", "Allison",
    "Aubrey", "Millie", "Melody", "Ayla", "Serenity", "Bella", "Skylar", "Josie", "Lucia", "Daisy",
    "Priya", "Ananya", "Aisha", "Fatima", "Mei", "Yuna", "Sakura", "Ximena", "Guadalupe", "Renata",
    "Camille", "Imani", "Nia", "Zara", "Amara", "Chiamaka", "Ngozi", "Leila", "Yasmin", "Noor",
    "Ingrid", "Freya", "Siobhan", "Aoife", "Zoë", "Chloé", "Renée", "Thi", "Linh", "Hana",
];

/// Given names usually given to boys.
pub(super) const MALE_GIVEN: &[&str] = &[
    "Liam", "Noah", "Oliver", "James", "Elijah", "Mateo", "Theodore", "Henry", "Lucas", "William",
    "Benjamin", "Levi", "Sebastian", "Jack", "Ezra", "Michael", "Daniel", "Leo", "Owen", "Samuel",
    "Hudson", "Alexander", "Asher", "Luca", "Ethan", "John", "David", "Jackson", "Joseph", "Mason",
    "Luke", "Matthew", "Julian", "Dylan", "Elias", "Jacob", "Maverick", "Gabriel", "Logan", "Aiden",
    "Thomas", "Isaac", "Miles", "Grayson", "Santiago", "Anthony", "Wyatt", "Carter", "Jayden", "Ezekiel",
    "Caleb", "Cooper", "Josiah", "Charles", "Christopher", "Isaiah", "Nolan", "Cameron", "Nathan", "Joshua",
    "Kai", "Waylon", "Angel", "Lincoln", "Andrew", "Roman", "Adrian", "Aaron", "Wesley", "Ian",
    "Thiago", "Axel", "Brooks", "Bennett", "Weston", "Rowan", "Christian", "Theo", "Beau", "Eli",
    "Silas", "Jonathan", "Ryan", "Leonardo", "Walker", "Jaxon", "Micah", "Everett", "Robert", "Enzo",
    "Parker", "Jeremiah", "Jose", "Colton", "Luka", "Easton", "Landon", "Jordan", "Amir", "Gael",
    "Austin", "Adam", "Jameson", "August", "Xavier", "Myles", "Dominic", "Damian", "Nicholas", "Jace",
    "Arjun", "Rohan", "Vikram", "Omar", "Yusuf", "Hamza", "Wei", "Jun", "Hiroshi", "Minh",
    "Diego", "Alejandro", "Emiliano", "Joaquin", "Rafael", "Malik", "Darius", "Jamal", "Chidi", "Kwame",
    "Tariq", "Karim", "Sven", "Finn", "Declan", "Cian", "José", "André", "Tomás", "Duc",
];

/// Family names, common across the backgrounds of a US district.
pub(super) const FAMILY: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
    "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
    "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
    "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper",
    "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
    "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes",
    "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
    "Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes",
    "Fisher", "Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Alexander", "Hamilton", "Graham", "Reynolds",
    "Griffin", "Wallace", "Moreno", "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson", "Ellis",
    "Tran", "Medina", "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens", "Harrison",
    "Fernandez", "McDonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen", "Freeman",
    "Webb", "Tucker", "Guzman", "Burns", "Crawford", "Olson", "Simpson", "Porter", "Hunter", "Gordon",
    "Mendez", "Silva", "Shaw", "Snyder", "Mason", "Dixon", "Muñoz", "Hunt", "Hicks", "Holmes",
    "Palmer", "Wagner", "Black", "Robertson", "Boyd", "Rose", "Stone", "Salazar", "Fox", "Warren",
    "Mills", "Meyer", "Rice", "Schmidt", "Garza", "Daniels", "Ferguson", "Nichols", "Stephens", "Soto",
    "Weaver", "Ryan", "Gardner", "Payne", "Grant", "Dunn", "Spencer", "Hawkins", "Arnold", "Pierce",
    "Hansen", "Peters", "Santos", "Hart", "Bradley", "Knight", "Elliott", "Cunningham", "Duncan", "Armstrong",
    "Wang", "Li", "Zhang", "Liu", "Singh", "Shah", "Kumar", "Ali", "Khan", "Ahmed",
    "Yamamoto", "Tanaka", "Park", "Choi", "Pham", "Le", "Vu", "Okafor", "Mensah", "Adeyemi",
    "O'Brien", "O'Connor", "Fitzgerald", "Schneider", "Novak", "Kowalski", "Rossi", "Haddad", "Cohen", "Jensen",
    "Larsen", "Nakamura", "Hoang", "Desai", "Iyer", "Abdullah", "Begay", "Yazzie", "Kealoha", "García-López",
];

/// Places, trees and people US schools are commonly named after.
pub(super) const SCHOOL_STEMS: &[&str] = &[
    "Maple Grove", "Lincoln", "Riverside", "Washington", "Jefferson", "Roosevelt", "Oak Hill", "Cedar Ridge",
    "Pine Valley", "Willow Creek", "Sunnyside", "Lakeview", "Hillcrest", "Meadowbrook", "Highland", "Fairview",
    "Westwood", "Eastside", "Northgate", "Southridge", "Brookside", "Evergreen", "Kennedy", "Madison",
    "Franklin", "Adams", "Monroe", "Garfield", "McKinley", "Hamilton", "Harriet Tubman", "Cesar Chavez",
    "Sally Ride", "Amelia Earhart", "Frederick Douglass", "Rosa Parks", "Martin Luther King Jr.", "Thurgood Marshall",
    "Sojourner Truth", "Mark Twain", "Helen Keller", "Clara Barton", "Susan B. Anthony", "John Muir",
    "Ellen Ochoa", "Dolores Huerta", "Maya Angelou", "Katherine Johnson", "Mae Jemison", "Grace Hopper",
    "Pioneer", "Heritage", "Liberty", "Independence", "Discovery", "Horizon", "Summit", "Valley View",
    "Mountain View", "Bayside", "Harbor", "Prairie", "Timberline", "Silver Lake", "Golden Hills", "Aspen",
    "Birch", "Cottonwood", "Sycamore", "Magnolia", "Redwood", "Sequoia", "Juniper", "Hawthorne",
    "Spring Creek", "Mill Creek", "Bear Creek", "Deer Park", "Fox Run", "Eagle Ridge", "Cardinal", "Bluebird",
    "Stonebridge", "Orchard", "Rolling Hills", "Quail Run", "Canyon", "Mesa Verde", "Sierra", "Crestview",
];

/// Variants that keep school names apart once the stems run out.
pub(super) const SCHOOL_PREFIXES: &[&str] = &["", "North ", "South ", "East ", "West ", "Central "];

/// Stems for the district's name (and the town it serves).
pub(super) const DISTRICT_STEMS: &[&str] = &[
    "Cedar Valley", "Maple Ridge", "Riverbend", "Clearwater", "Silver Creek", "Pinecrest", "Stone Harbor",
    "Fair Oaks", "Lakewood", "Brookhaven", "Granite Falls", "Willow Springs", "Red Rock", "Elm Grove",
];

/// Kinds of district, as they appear in names.
pub(super) const DISTRICT_KINDS: &[&str] = &["Unified School District", "Public Schools", "School District", "Community Schools"];

/// (state, telephone area code, two-digit state FIPS code used in NCES ids).
pub(super) const STATES: &[(&str, u16, &str)] = &[
    ("CA", 916, "06"),
    ("TX", 512, "48"),
    ("OH", 614, "39"),
    ("WA", 360, "53"),
    ("IL", 217, "17"),
    ("NC", 919, "37"),
    ("CO", 303, "08"),
    ("MN", 612, "27"),
    ("GA", 404, "13"),
    ("OR", 503, "41"),
];

/// Countries of birth other than the US (ISO 3166-1 alpha-2), roughly by frequency.
pub(super) const BIRTH_COUNTRIES: &[&str] = &["MX", "IN", "CN", "PH", "VN", "SV", "GT", "CA", "KR", "UA", "NG", "BR", "HN", "CU"];

/// Everyday short forms some students go by.
pub(super) const NICKNAMES: &[(&str, &str)] = &[
    ("Alexander", "Alex"),
    ("Benjamin", "Ben"),
    ("Christopher", "Chris"),
    ("Daniel", "Danny"),
    ("Elizabeth", "Liz"),
    ("Isabella", "Bella"),
    ("Jonathan", "Jon"),
    ("Joseph", "Joe"),
    ("Josephine", "Josie"),
    ("Matthew", "Matt"),
    ("Michael", "Mike"),
    ("Nicholas", "Nick"),
    ("Samuel", "Sam"),
    ("Theodore", "Teddy"),
    ("Victoria", "Tori"),
    ("William", "Will"),
];

/// The nickname a student with `given` may go by.
pub(super) fn nickname(given: &str) -> Option<&'static str> {
    NICKNAMES.iter().find(|(full, _)| *full == given).map(|(_, short)| *short)
}

/// Lower-case ASCII letters and digits of `name`, with accents dropped (`García-López` →
/// `garcialopez`): usernames and e-mail addresses stay plain ASCII whatever the name.
pub(super) fn ascii_slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let plain = match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'Á' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' => 'e',
            'í' | 'ì' | 'î' | 'ï' | 'Í' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'Ó' => 'o',
            'ú' | 'ù' | 'û' | 'ü' | 'Ú' => 'u',
            'ñ' | 'Ñ' => 'n',
            'ç' | 'Ç' => 'c',
            c => c,
        };
        if plain.is_ascii_alphanumeric() {
            out.push(plain.to_ascii_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_ascii() {
        assert_eq!(ascii_slug("García-López"), "garcialopez");
        assert_eq!(ascii_slug("O'Brien"), "obrien");
        assert_eq!(ascii_slug("Zoë"), "zoe");
        assert_eq!(ascii_slug("Martin Luther King Jr."), "martinlutherkingjr");
        for name in FEMALE_GIVEN.iter().chain(MALE_GIVEN).chain(FAMILY) {
            let slug = ascii_slug(name);
            assert!(!slug.is_empty() && slug.bytes().all(|b| b.is_ascii_lowercase()), "{name} -> {slug}");
        }
    }

    #[test]
    fn lists_are_sizeable_and_without_repeats() {
        for (list, min) in [(FEMALE_GIVEN, 120), (MALE_GIVEN, 120), (FAMILY, 250), (SCHOOL_STEMS, 80)] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), list.len(), "a name is listed twice");
            assert!(list.len() >= min);
        }
        // Names are written into CSV cells and multi-value-free columns: no commas, no line breaks.
        assert!(SCHOOL_STEMS.iter().chain(FAMILY).all(|n| !n.contains([',', '\n', '\r', '"'])));
    }
}
